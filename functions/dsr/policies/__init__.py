"""The rules every stage applies, read from the policy tables: the deadlines of each law and the
ones a request carries, how sure the desk must be of who is asking, who may appeal until when,
and how long a closed request is kept.

May import: the core, storage, the wiring.
"""
