"""Closing a request: the final status and the subject's notice, the access package's download,
the suppression list, and a cancellation before anything is carried out.

May import: the folders below it, fulfilment included.
"""
