"""``dsr``: the command line for the local cloud and for staff work."""
