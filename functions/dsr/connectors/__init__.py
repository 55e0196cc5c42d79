"""Connectors find one subject in one kind of store the company runs and carry out an action
there; which connector reaches a system is chosen in one place. Fulfilment carries actions out
through them, and verification reads the held data points through them, so they sit below both.

May import: the core, storage, the wiring.
"""
