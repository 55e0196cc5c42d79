"""The privacy address: what each message that arrives becomes (a new request, a reply to one, an
appeal, or mail for staff to triage), read without trusting it.

May import: every folder below the staff folder; not the staff folder nor the web.
"""
