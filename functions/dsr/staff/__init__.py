"""What staff see and do apart from a stage's own decision: who may do what, a request as staff
see it, the dashboard and the yearly metrics report.

May import: every folder below it.
"""
