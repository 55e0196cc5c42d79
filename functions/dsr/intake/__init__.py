"""Taking a request in: the submission (recorded first, then exactly one execution), a second
open request joined to the first, the acknowledgement, the status token, and the rate limits at
the public doors.

May import: the folders below it (core, storage, wiring, connectors, policies, notices).
"""
