"""The desk's core: the request model and its pydantic base, settings, the clock, the actions and
the system registry, and the thin adapters to AWS (keyed hashes in KMS, mail through SES, the
Step Functions workflow) that every stage is handed.

May import: nothing else of the desk. Every folder above may import it.
"""
