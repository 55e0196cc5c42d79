"""The privacy-rights desk's domain: requests, their life cycle and the rules they follow.

Nothing in this package calls AWS when it is imported; adapters are handed in. Its folders are
layered in the order a request goes through them, and a module imports only from its own folder
and the folders below it (import-linter's contract in pyproject.toml, run by ``make lint`` and
by tests/unit/test_layout.py), from the bottom up:

- ``core/``: the request model, settings, the clock, the registry and the AWS adapters;
- ``storage/``: the requests table's repositories, the rate windows, the access packages;
- ``wiring/``: the ``Desk`` every stage is handed, and SnapStart's hooks;
- ``connectors/``: the company's own stores, one connector per kind;
- ``policies/``: deadlines, proof of identity, appeal windows and record keeping, per law;
- ``notices/``: what the subject, staff and those a task is handed to are told;
- ``intake/``, ``verification/``, ``review/``, ``fulfilment/``, ``closing/``, ``appeals/``: the
  stages, in the state machine's order;
- ``deadlines/``: the clock over every stage: extensions, pauses, the watch and the sweep;
- ``staff/``: what staff see and may do;
- ``web/`` and ``inbox/``, neither importing the other: the public web and the privacy address.
"""
