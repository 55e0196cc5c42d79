"""What the desk writes and shows: the subject's notices at each step and what the subject may
see of their own request, the reminders to staff, and the instructions to those a task is
handed to.

May import: the core, storage, the wiring, the connectors, the policies.
"""
