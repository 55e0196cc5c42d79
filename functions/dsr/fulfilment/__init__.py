"""Carrying the request out: plan the systems, run each one through its connector, hand a task to
a processor, vendor or customer and take their one answer, re-run what failed, and compile the
results.

May import: the folders below it, review included.
"""
