"""The staff API's own OpenAPI document, built when first asked for, not at import (the OpenAPI
models take about 90 ms to import)."""

from functools import lru_cache

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router

from dsr.web.http_errors import with_invalid_request_schema

router = Router()  # type: ignore[no-untyped-call]

API_TITLE = "Privacy desk staff API"
API_VERSION = "1.0.0"


@lru_cache(maxsize=1)
def openapi_document_text() -> str:
    """Every route of the resolver this router is included in (the staff API's)."""
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer  # noqa: PLC0415

    staff_token = HTTPBearer(
        bearerFormat="JWT", description="the ID token of the staff member's sign-in (the staff user pool)"
    )
    resolver = router.api_resolver
    if resolver is None:
        raise RuntimeError("the documentation router is not included in the staff API")
    return with_invalid_request_schema(
        resolver.get_openapi_json_schema(  # type: ignore[attr-defined]
            title=API_TITLE,
            version=API_VERSION,
            security_schemes={"staffToken": staff_token},
            security=[{"staffToken": []}],
        )
    )


@router.get("/staff/openapi.json", include_in_schema=False)
def openapi_document() -> Response[str]:
    """The staff routes, for any staff member: the list is not secret, but only staff call them."""
    return Response(
        status_code=200, content_type=content_types.APPLICATION_JSON, body=openapi_document_text()
    )
