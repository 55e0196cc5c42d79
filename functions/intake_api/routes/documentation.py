"""The API's own documentation: the OpenAPI document and Swagger UI over it.

Built when first asked for, not at import: the OpenAPI models Powertools describes the API with
take about 90 ms to import, a cost no submission should pay at a cold start."""

from functools import lru_cache
from pathlib import Path
from typing import cast

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router

from dsr.web.http_errors import with_invalid_request_schema
from dsr.web.response_headers import policy_for_inline_page
from intake_api.schemas import API_TITLE, API_VERSION

router = Router()  # type: ignore[no-untyped-call]


@lru_cache(maxsize=1)
def openapi_document() -> str:
    """The document of every route of the resolver this router is part of."""
    from dsr.agents.openapi_paths import with_drp_routes  # noqa: PLC0415 - built on demand, as the rest

    resolver = cast(APIGatewayRestResolver, router.api_resolver)
    document = resolver.get_openapi_json_schema(title=API_TITLE, version=API_VERSION)
    return with_drp_routes(with_invalid_request_schema(document))


@router.get("/openapi.json", include_in_schema=False)
def openapi_json() -> Response[str]:
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=openapi_document())


@router.get("/swagger", include_in_schema=False)
def api_documentation() -> Response[str]:
    """Swagger UI over the OpenAPI document, with the script and style Powertools ships."""
    from aws_lambda_powertools.event_handler.openapi import swagger_ui  # noqa: PLC0415
    from aws_lambda_powertools.event_handler.openapi.swagger_ui import generate_swagger_html  # noqa: PLC0415

    assets = Path(swagger_ui.__file__).parent
    page = generate_swagger_html(
        # As Powertools does: "</" escaped, so the document cannot close the page's script element.
        openapi_document().replace("</", "<\\/"),
        (assets / "swagger-ui-bundle.min.js").read_text(encoding="utf-8"),
        (assets / "swagger-ui.min.css").read_text(encoding="utf-8"),
        "",
        None,
    )
    headers = {"Content-Security-Policy": policy_for_inline_page(page), "Cache-Control": "no-cache"}
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=page, headers=headers)
