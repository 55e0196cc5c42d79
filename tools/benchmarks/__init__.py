"""``make bench``: what the desk costs and how fast it answers, measured on the local cloud, each
figure beside a baseline measured in the same run.

Benchmarks print figures; they are never timed tests. ``make test`` runs each benchmark at a
small scale only to check that its code measures what it says (``tests/unit/test_benchmarks.py``).
"""
