"""The deadlines as the clock runs: extensions, the clock standing still while the subject is
asked for information, the watch that reminds and escalates, and the scheduled sweep that
starts what never started and ends waits whose time ran out. They watch every stage, appeals
included, so they sit above them all.

May import: the folders below it, appeals included.
"""
