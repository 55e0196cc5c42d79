"""Identity verification matched to the risk of the request: a code, the data points the company
holds, or the product's own sign-in.

May import: the folders below it, intake included.
"""
