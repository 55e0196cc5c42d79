"""Cold-start references: what a function imports before any of the desk's own code.

Each module is the least a function of its kind can be on this stack (boto3, Powertools, pydantic),
so the cold-start benchmark can show how much of a function's import is the libraries' and how
much is the desk's. They are measured, never deployed.
"""
