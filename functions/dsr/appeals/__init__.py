"""Appeals: a subject whose request was refused asks the company to look again, after it closed.

May import: the folders below it, closing included.
"""
