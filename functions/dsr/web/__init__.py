"""The public web: the form and the subject's pages as plain HTML, and what the public API, the
staff API and the console share at the HTTP edge (checks before a body is parsed, refusals as
the API answers them, the security headers).

May import: every folder below the staff folder; not the staff folder nor the inbox.
"""
