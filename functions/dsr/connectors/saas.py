"""The connector of a SaaS tool, carried out from its definition (``dsr.core.saas_definitions``):
it finds the person by the identity the definition names, exports what the definition keeps of
each record found and of the records each export request lists, page by page, and carries out an
action by sending the action's steps for every record found. The HTTP side (credentials, rate,
retries) is ``dsr.connectors.saas_http``'s.

Counts are of the person's records in the tool (a contact, a customer): an action carried out
twice finds nothing the second time, or answers ``absent_statuses`` (404: already gone), and
counts nothing."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from aws_lambda_powertools import Logger

from dsr.connectors.base import FlagValue, Record, Replacement, SaasError, Subject
from dsr.connectors.saas_http import SaasHttp
from dsr.connectors.saas_requests import (
    ConcreteRequest,
    filled,
    identity_values,
    with_body_value,
    with_query,
)

if TYPE_CHECKING:
    from dsr.core.saas_definitions import ActionSteps, Pagination, SaasDefinition, SaasRequest

logger = Logger(child=True)

RECORD_SET = "record_set"
"""The field each exported record carries naming what it is (the find's name or an export's)."""


class SaasConnector:
    def __init__(
        self, http: SaasHttp, environment: Mapping[str, str] | None = None, action: str | None = None
    ) -> None:
        """``action``: the registry's name of the action ``set_fields`` carries out (restrict,
        object, opt_out...): the definition has steps of its own for each."""
        self.http = http
        self.definition: SaasDefinition = http.definition
        self.tool = self.definition.tool
        self.environment = os.environ if environment is None else environment
        self.action = action

    # --- the Connector protocol -----------------------------------------------------------------

    def export(self, subject: Subject | str) -> Iterator[Record]:
        subject = Subject.of(subject)
        find = self.definition.find
        for record in self._found(subject):
            yield _kept(record, find.keep, find.name)
            for index, spec in enumerate(self.definition.export):
                request = self._concrete(spec.request, subject, record)
                where = f"export.{index}.request"
                for item in self._pages(request, where, spec.records_at, spec.pagination, spec.request):
                    yield _kept(item, spec.keep, spec.name)

    def delete(self, subject: Subject) -> int:
        return self._carry_out("erase", subject, None)

    def anonymize(self, subject: Subject, replacements: Mapping[str, Replacement]) -> int:
        return self._carry_out("erase", subject, replacements)

    def correct(self, subject: Subject, values: Mapping[str, str]) -> int:
        return self._carry_out("rectify", subject, values)

    def set_fields(self, subject: Subject, fields: Mapping[str, FlagValue]) -> int:
        if self.action is None:
            raise ValueError(f"{self.tool}: set_fields needs the action it carries out")
        return self._carry_out(self.action, subject, fields)

    # --- finding --------------------------------------------------------------------------------

    def _found(self, subject: Subject) -> list[Record]:
        """The person's records. Found by email, the address is looked up trimmed and lower-cased
        and, if the person wrote it otherwise, as written too (some tools, Stripe's list filter
        for one, compare addresses exactly); a record found both ways counts once."""
        find = self.definition.find
        spellings = [subject.normalized_email]
        if find.identity == "email":
            spellings = list(dict.fromkeys([*spellings, subject.email.strip()]))
        found: dict[str, Record] = {}
        for spelling in spellings:
            request = self._concrete(find.request, subject, None, email=spelling)
            for record in self._pages(
                request, "find.request", find.records_at, find.pagination, find.request
            ):
                found.setdefault("/".join(self._record_values(record).values()), record)
        logger.debug("saas records found", tool=self.tool, records=len(found))
        return list(found.values())

    def _record_id(self, record: Record) -> str:
        value = record.get(self.definition.find.id_field)
        if value is None or isinstance(value, (dict, list)):
            raise SaasError(
                self.tool, "find.request", None, f"a record has no {self.definition.find.id_field}"
            )
        return str(value)

    def _concrete(
        self,
        request: SaasRequest,
        subject: Subject,
        record: Record | None,
        action_values: Mapping[str, Any] | None = None,
        email: str | None = None,
        *,
        item_id: str | None = None,
    ) -> ConcreteRequest:
        values = identity_values(subject.email) | self._settings()
        if email is not None:
            values["email"] = email
        if record is not None:
            values |= self._record_values(record)
        if item_id is not None:
            values["item_id"] = item_id
        return filled(request, values, action_values)

    def _items(
        self, export: str | None, subject: Subject, record: Record, read: dict[str, list[Record]]
    ) -> list[str | None]:
        """The ids a ``for_each`` step is sent for (the export's records, read once a record
        found: a step that deletes them must not change what the next step is sent for); a step
        without ``for_each`` is sent once (None)."""
        if export is None:
            return [None]
        if export not in read:
            index, spec = next((i, e) for i, e in enumerate(self.definition.export) if e.name == export)
            request = self._concrete(spec.request, subject, record)
            where = f"export.{index}.request"
            read[export] = list(self._pages(request, where, spec.records_at, spec.pagination, spec.request))
        return [str(item["id"]) for item in read[export] if "id" in item]

    def _record_values(self, record: Record) -> dict[str, str]:
        """What a record found fills in later requests: its id and the definition's record values
        (Mailchimp's list id). Together they tell records apart: one person is a member of several
        Mailchimp audiences under the same id."""
        values = {"id": self._record_id(record)}
        for name, dotted in self.definition.find.record_values.items():
            value = _at(record, dotted)
            if value is None or isinstance(value, (dict, list)):
                raise SaasError(self.tool, "find.request", None, f"a record has no {dotted}")
            values[name] = str(value)
        return values

    def _settings(self) -> dict[str, str]:
        settings = {}
        for name, variable in self.definition.settings.items():
            value = self.environment.get(variable, "")
            if not value:
                raise SaasError(
                    self.tool, f"setting {name}", None, f"environment variable {variable} is not set"
                )
            settings[name] = value
        return settings

    # --- carrying out ---------------------------------------------------------------------------

    def _carry_out(self, action: str, subject: Subject, values: Mapping[str, Any] | None) -> int:
        steps: ActionSteps | None = self.definition.actions.declared().get(action)
        if steps is None:
            raise ValueError(f"{self.tool}: the definition has no steps for {action}")
        changed = 0
        for record in self._found(subject):
            present = False
            items: dict[str, list[Record]] = {}
            for index, step in enumerate(steps.steps):
                where = f"actions.{action}.steps.{index}"
                for item in self._items(step.for_each, subject, record, items):
                    request = self._concrete(step, subject, record, values, item_id=item)
                    answer = self.http.send(request, where, frozenset(step.absent_statuses))
                    present = present or answer.status not in step.absent_statuses
            changed += present
        logger.info("saas action carried out", tool=self.tool, action=action, records=changed)
        return changed

    # --- pages ----------------------------------------------------------------------------------

    def _pages(
        self,
        request: ConcreteRequest,
        where: str,
        records_at: str,
        pagination: Pagination,
        declared: SaasRequest,
    ) -> Iterator[Record]:
        absent = frozenset(declared.absent_statuses)
        style = pagination.style
        offset = 0
        if style == "offset":
            request = with_query(request, str(pagination.count_param), str(pagination.page_size))
            request = with_query(request, str(pagination.param), "0")
        for _ in range(pagination.max_pages):
            answer = self.http.send(request, where, absent)
            if answer.status in absent:
                return
            records = _records_at(answer.body, records_at)
            yield from records
            if style == "none" or not records:
                return
            if pagination.has_more_at and not _at(answer.body, pagination.has_more_at):
                return
            if style == "next_url":
                following = self._next_url(_at(answer.body, str(pagination.next_url_at)), request, where)
                if following is None:
                    return
                request = following
                continue
            offset += len(records)
            cursor = _cursor(answer.body, records, pagination, offset)
            if cursor is None or cursor == "":
                return
            request = self.with_cursor(request, pagination, cursor)
        raise SaasError(self.tool, where, None, f"more than {pagination.max_pages} pages")

    @staticmethod
    def with_cursor(request: ConcreteRequest, pagination: Pagination, cursor: Any) -> ConcreteRequest:
        """The request for the page that starts at ``cursor``."""
        if pagination.param_in == "body":
            return with_body_value(request, str(pagination.param), cursor)
        return with_query(request, str(pagination.param), str(cursor))

    def _next_url(self, url: Any, request: ConcreteRequest, where: str) -> ConcreteRequest | None:
        """The next page's URL, which must be under the tool's base URL: credentials go nowhere else."""
        if not isinstance(url, str) or not url:
            return None
        base = urlsplit(self.http.base_url)
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not parts.path.startswith(base.path):
            raise SaasError(self.tool, where, None, "the next page is not under the tool's base URL")
        path = parts.path.removeprefix(base.path) or "/"
        return request._replace(path=path, query=dict(parse_qsl(parts.query, keep_blank_values=True)))


def _cursor(body: Any, records: list[Record], pagination: Pagination, offset: int) -> Any:
    """Where the next page starts; None: this was the last."""
    if pagination.style == "cursor_from_last_record":
        return records[-1].get("id")
    if pagination.style == "cursor_from_field":
        return _at(body, str(pagination.cursor_at))
    total = _at(body, str(pagination.total_at))
    return offset if isinstance(total, int) and offset < total else None


def _at(body: Any, dotted: str) -> Any:
    value = body
    for part in [p for p in dotted.split(".") if p]:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _records_at(body: Any, dotted: str) -> list[Record]:
    value = _at(body, dotted)
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return []


def _kept(record: Record, keep: list[str] | None, record_set: str) -> Record:
    fields = record if keep is None else {name: record[name] for name in keep if name in record}
    return {RECORD_SET: record_set, **fields}
