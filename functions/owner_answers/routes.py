"""GET and POST /answer/{request_id}/{system_id}/{action}?for=<holder>&key=<secret>: the owner's
page, and the answer its form sends (dsr.fulfilment.owner_links, owner_answers)."""

import base64

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from dsr.core.handler_stack import logger
from dsr.core.tracing import desk_tracer
from dsr.fulfilment.owner_answers import IncompleteAnswerError, give_answer, read_answer
from dsr.fulfilment.owner_links import LinkRefusedError, open_task
from dsr.fulfilment.owner_uploads import (
    MAX_UPLOAD_BYTES,
    UnacceptableUploadError,
    UploadTooLargeError,
    too_large,
)
from dsr.web import owner_pages
from dsr.web.page_markup import RESPONSE_HEADERS
from dsr.web.uploaded_form import read_form
from dsr.wiring.desk import desk_from_environment

tracer = desk_tracer()
router = Router()  # type: ignore[no-untyped-call]
# The file and the form's other fields, base64-encoded by API Gateway: within Lambda's 6 MB.
MAX_FORM_BYTES = MAX_UPLOAD_BYTES + 64 * 1024


def _page(status: int, markup: str) -> Response[str]:
    return Response(
        status_code=status,
        content_type=RESPONSE_HEADERS["Content-Type"],
        body=markup,
        headers=RESPONSE_HEADERS,
    )


def _link() -> tuple[str, str]:
    query = router.current_event.query_string_parameters or {}
    return query.get("for", ""), query.get("key", "")


def _refused(error: LinkRefusedError, *, posted: bool = True) -> Response[str]:
    logger.info("owner link refused", refusal=error.refusal.value)
    return _page(owner_pages.status_of(error.refusal, posted=posted), owner_pages.refused_page(error))


@router.get("/answer/<request_id>/<system_id>/<action>")
@tracer.capture_method
def show(request_id: str, system_id: str, action: str) -> Response[str]:
    desk = desk_from_environment()
    holder, key = _link()
    try:
        task = open_task(desk, request_id, system_id, action, holder=holder, key=key)
    except LinkRefusedError as error:
        return _refused(error, posted=False)
    return _page(200, owner_pages.task_page(task, desk.store.get(request_id), key))


@router.post("/answer/<request_id>/<system_id>/<action>")
@tracer.capture_method
def answer(request_id: str, system_id: str, action: str) -> Response[str]:
    desk = desk_from_environment()
    holder, key = _link()
    try:
        task = open_task(desk, request_id, system_id, action, holder=holder, key=key)
    except LinkRefusedError as error:
        return _refused(error)
    event = router.current_event
    raw = base64.b64decode(event.body or "") if event.is_base64_encoded else (event.body or "").encode()
    request = desk.store.get(request_id)
    if len(raw) > MAX_FORM_BYTES:
        return _page(413, owner_pages.task_page(task, request, key, problem=too_large()))
    content_type = next((v for k, v in (event.headers or {}).items() if k.lower() == "content-type"), "")
    form = read_form(content_type, raw)
    try:
        carried = give_answer(desk, task, read_answer(form.fields, form.files.get("export")))
    except (IncompleteAnswerError, UnacceptableUploadError) as problem:
        status = 413 if isinstance(problem, UploadTooLargeError) else 422
        return _page(
            status, owner_pages.task_page(task, request, key, problem=str(problem), sent=form.fields)
        )
    except LinkRefusedError as error:
        return _refused(error)
    logger.info("owner answered", request_id=request_id, system_id=system_id, answer=carried.status.value)
    return _page(200, owner_pages.answered_page(carried))
