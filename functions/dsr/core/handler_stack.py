"""The decorators every function's handler wears, in one fixed order (the handler cookbook's):

1. its environment checked (settings validated once per cold start; a missing or malformed
   variable fails the first event with the variable's name, before anything else runs);
2. the logging context (``inject_lambda_context``: the function, the invocation, cold start, and
   for API functions the request's correlation id);
3. metrics (``log_metrics``: whatever the event recorded is published as EMF when it ends);
4. tracing (``capture_lambda_handler``), for every function that calls AWS;
5. transient AWS errors named so a state machine's Retry matches them (``dsr.core.transient_errors``);
6. the event parsed into its pydantic model (Powertools' parser), where it has one; an API's
   resolver parses its own events.

``@desk_handler(RequestTask, environment=desk_from_environment)`` on
``lambda_handler(event: RequestTask, context)``."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from pydantic import BaseModel

from dsr.core.tracing import desk_tracer
from dsr.core.transient_errors import name_transient_aws_errors

logger = Logger()
metrics = Metrics()

type Handler[Answer] = Callable[[Any, Any], Answer]

# An event that recorded no metric has nothing to publish; Powertools would warn of it on every
# such event of every function.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)


def with_environment_checked[Answer](
    environment: Callable[[], object] | None,
) -> Callable[[Handler[Answer]], Handler[Answer]]:
    """Run ``environment`` (cached by its owner: once per cold start) before each event."""

    def decorate(handler: Handler[Answer]) -> Handler[Answer]:
        if environment is None:
            return handler

        @functools.wraps(handler)
        def checked(event: Any, context: Any) -> Answer:
            environment()
            return handler(event, context)

        return checked

    return decorate


def with_metrics_published[Answer](handler: Handler[Answer]) -> Handler[Answer]:
    """Powertools' ``log_metrics``, then the metric set emptied: where sending is switched off
    (``POWERTOOLS_METRICS_DISABLED``, the local cloud) a flush keeps what it did not send, and a
    long-lived process would pile up every event's metrics."""
    published = metrics.log_metrics(handler)

    @functools.wraps(handler)
    def run(event: Any, context: Any) -> Answer:
        try:
            return published(event, context)  # type: ignore[no-any-return]
        finally:
            metrics.clear_metrics()

    return run


def desk_handler[Answer](
    event_model: type[BaseModel] | None = None,
    *,
    environment: Callable[[], object] | None,
    correlation_id_path: str | None = None,
    traced: bool = True,
) -> Callable[[Handler[Answer]], Handler[Answer]]:
    """The stack above, for a handler whose event is ``event_model`` (None: the raw event, as an
    API's resolver takes it). ``environment`` validates the function's settings (None: it reads
    none); ``traced=False`` for a function that makes no AWS call (the tracer would patch botocore
    at import for nothing)."""

    def decorate(handler: Handler[Answer]) -> Handler[Answer]:
        wrapped: Handler[Answer] = handler
        if event_model is not None:
            from aws_lambda_powertools.utilities.parser import event_parser  # noqa: PLC0415 - parsed events only

            wrapped = event_parser(model=event_model)(wrapped)
        wrapped = name_transient_aws_errors(wrapped)
        if traced:
            wrapped = desk_tracer().capture_lambda_handler(wrapped)
        wrapped = with_metrics_published(wrapped)
        wrapped = logger.inject_lambda_context(wrapped, correlation_id_path=correlation_id_path)
        return with_environment_checked(environment)(wrapped)

    return decorate
