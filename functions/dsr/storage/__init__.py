"""The desk's storage: every read and write of the requests table behind repositories, the
rate windows kept there, and the encrypted access packages in their bucket.

May import: the core.
"""
