"""Staff review: the workflow waits with a stored task token until a person decides.

May import: the folders below it, verification included.
"""
