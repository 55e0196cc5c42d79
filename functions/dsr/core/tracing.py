"""Tracing as the desk deploys it (``Tracing: Active``): Powertools' tracer, patching only the
libraries the desk reaches out through."""

from aws_lambda_powertools import Tracer

# botocore: every AWS call. httplib: the processors' APIs (OpenDSR), reached with urllib.
TRACED_LIBRARIES = ("botocore", "httplib")


def desk_tracer() -> Tracer:
    """Without a list, the X-Ray SDK patches every library it supports that it finds installed,
    used or not: about 30 ms more of each cold start with tracing on. Every tracer of a function
    is made here, since each one made without the list would patch them all again."""
    return Tracer(patch_modules=TRACED_LIBRARIES)
