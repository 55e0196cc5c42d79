"""The desk as the covered business of the Data Rights Protocol 1.0: the agents it knows, their
signed messages, the exercise of a right, and the status an agent is told.

May import: every folder below the staff folder, and the staff folder; not the web nor the inbox.
"""
