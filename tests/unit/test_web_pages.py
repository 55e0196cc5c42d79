"""The web form and the subject's pages: labelled, refilled, escaped, script-free, and read back strictly."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode

import pytest

from dsr.core.models import Relationship, RequestType, Status
from dsr.notices.public_views import SubjectView
from dsr.web.form_reading import FormErrors, new_request_from_form
from dsr.web.page_markup import RESPONSE_HEADERS, STYLE
from dsr.web.pages import download_expired_page, download_links_page, download_page, message_page, status_page
from dsr.web.request_form import FORM_FIELDS, request_form_page

HOSTILE = "<img src=x onerror=alert(1)>"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
CONTROLS = {"input", "select", "textarea"}
REQUEST_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
UNTIL = datetime(2026, 3, 14, 10, 32, tzinfo=UTC)
PRESIGNED = (
    "https://packages.s3.amazonaws.com/packages/r/access-package.json?X-Amz-Expires=300&X-Amz-Signature=ab"
)


class Page(HTMLParser):
    """The elements of a page, their attributes, and the text inside each element that has an id."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text_by_id: dict[str, str] = {}
        self.text = ""
        self._open: list[str | None] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag not in VOID:
            self._open.append(attributes.get("id"))
            if attributes.get("id"):
                self.text_by_id.setdefault(str(attributes["id"]), "")

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        self.text += data
        for element_id in self._open:
            if element_id:
                self.text_by_id[element_id] += data

    def all(self, tag: str, **wanted: str) -> list[dict[str, str | None]]:
        return [
            attributes
            for name, attributes in self.elements
            if name == tag and all(attributes.get(key) == value for key, value in wanted.items())
        ]

    def one(self, tag: str, **wanted: str) -> dict[str, str | None]:
        found = self.all(tag, **wanted)
        assert len(found) == 1, f"expected one <{tag} {wanted}>, found {len(found)}"
        return found[0]

    def by_id(self, element_id: str) -> dict[str, str | None]:
        found = [attributes for _, attributes in self.elements if attributes.get("id") == element_id]
        assert len(found) == 1, f"expected one element with id {element_id!r}, found {len(found)}"
        return found[0]

    def described_by(self, attributes: dict[str, str | None]) -> list[str]:
        return (attributes.get("aria-describedby") or "").split()


def _view(status: Status = Status.VERIFYING, **changes: object) -> SubjectView:
    fields: dict[str, object] = {
        "request_id": REQUEST_ID,
        "status": status,
        "next_step": "Enter the code we emailed you to confirm your email address.",
        "request_types": ["access", "erasure"],
        "received_on": "2026-03-01",
        "respond_by": "2026-03-31",
    }
    return SubjectView.model_validate(fields | changes)


def _form(**fields: str | list[str]) -> dict[str, list[str]]:
    """A body as a browser posts it, read back as the route reads it."""
    body = urlencode(fields, doseq=True)
    return parse_qs(body, keep_blank_values=True)


def _blank_form(**fields: str | list[str]) -> dict[str, list[str]]:
    """Every text field present and empty, as a browser posts the untouched form, plus ``fields``."""
    blank: dict[str, str | list[str]] = {name: "" for name in FORM_FIELDS if name != "request_types"}
    return _form(**(blank | fields))


def _errors(form: dict[str, list[str]]) -> dict[str, str]:
    with pytest.raises(FormErrors) as raised:
        new_request_from_form(form)
    return raised.value.errors


def _all_pages() -> list[str]:
    return [
        request_form_page(),
        request_form_page({"email": "a@example.com"}, {"email": "wrong", "_form": "also wrong"}),
        status_page(_view(), token="t0ken-t0ken", show_code_form=True, message="Hello"),
        status_page(_view(Status.COMPLETED), token="t0ken-t0ken", show_code_form=False),
        message_page("Code accepted", "Thank you.", status_url="/status/x?token=y"),
        download_page(REQUEST_ID, "t0ken-t0ken", UNTIL),
        download_page(REQUEST_ID, "t0ken-t0ken", UNTIL, code_sent=True, problem="That code is not right."),
        download_links_page(PRESIGNED, PRESIGNED, 300),
        download_expired_page("https://desk.example/privacy-request", "privacy@desk.example"),
    ]


# --- the form page -----------------------------------------------------------------------------


def test_every_control_has_a_label_and_ids_are_unique() -> None:
    page = Page(request_form_page(errors={"email": "x", "request_types": "y"}))
    ids = [attributes["id"] for _, attributes in page.elements if attributes.get("id")]
    labelled = {label["for"] for label in page.all("label")}
    controls = [
        attributes
        for tag, attributes in page.elements
        if tag in CONTROLS and attributes.get("type") not in {"hidden", "submit"}
    ]

    assert len(ids) == len(set(ids))
    assert len(controls) > 10
    for control in controls:
        assert control.get("id") in labelled, f"{control.get('name')} has no label"


def test_the_form_posts_exactly_the_fields_the_reader_accepts() -> None:
    page = Page(request_form_page(action="/Prod/privacy-request"))
    names = {attributes["name"] for tag, attributes in page.elements if tag in CONTROLS}

    assert names == set(FORM_FIELDS)
    assert "jurisdiction" not in names
    assert page.one("form")["method"] == "post"
    assert page.one("form")["action"] == "/Prod/privacy-request"
    assert page.one("input", name="email")["type"] == "email"
    assert "required" in page.one("input", name="email")
    assert page.one("fieldset", **{"aria-describedby": "corrections-hint"}) is not None


def test_request_types_and_relationships_are_offered_in_plain_english() -> None:
    page = Page(request_form_page())
    boxes = page.all("input", type="checkbox", name="request_types")
    options = {option["value"] for option in page.all("option") if option.get("value")}

    assert [box["value"] for box in boxes] == [request_type.value for request_type in RequestType]
    assert "Do not sell or share my personal data" in page.text
    assert "Stop processing my data for your legitimate interests" in page.text
    assert {relationship.value for relationship in Relationship} <= options


def test_the_rights_of_the_newer_laws_are_offered_in_plain_words() -> None:
    page = Page(request_form_page())
    boxes = {box["value"] for box in page.all("input", type="checkbox", name="request_types")}

    assert {"limit_sensitive", "admt_opt_out", "admt_access", "third_party_list", "profiling_review"} <= boxes
    for label in (
        "Limit the use of my sensitive personal data, such as payment details",
        "Do not make important decisions about me by automated means",
        "Tell me how you make automated decisions about me",
        "Tell me which companies you gave my personal data to",
        "Question an automated decision about me and have it reviewed",
    ):
        assert label in page.text
    assert "ADMT" not in page.text  # no jargon


def test_values_are_filled_back_in_and_boxes_stay_checked() -> None:
    values = _form(
        request_types=["erasure", "rectification"],
        email="ada@example.com",
        name="Ada King",
        phone="020 7123 4567",
        relationship="job_applicant",
        country="GB",
        correction_field_2="surname",
        correction_value_2="Lovelace",
        details="Line one\nLine two",
        preferred_language="en-GB",
    )
    page = Page(request_form_page(values))

    checked = {box["value"] for box in page.all("input", type="checkbox") if "checked" in box}
    assert checked == {"erasure", "rectification"}
    for name in ("email", "name", "phone", "country", "correction_field_2", "correction_value_2"):
        assert page.one("input", name=name)["value"] == values[name][0]
    assert page.one("input", name="preferred_language")["value"] == "en-GB"
    assert page.one("input", name="account_id")["value"] == ""
    selected = [option["value"] for option in page.all("option") if "selected" in option]
    assert selected == ["job_applicant"]
    assert page.text_by_id["details"].removeprefix("\n") == "Line one\nLine two"


def test_a_hostile_value_appears_only_escaped() -> None:
    values = dict.fromkeys(FORM_FIELDS, HOSTILE) | {"details": f"</textarea>{HOSTILE}"}
    errors = {"email": HOSTILE, "_form": HOSTILE}
    markup = request_form_page(values, errors)
    page = Page(markup)

    assert HOSTILE not in markup
    assert "&lt;img src=x onerror=alert(1)&gt;" in markup
    assert not page.all("img")
    assert not page.all("script")
    assert page.one("input", name="email")["value"] == HOSTILE
    assert page.text_by_id["details"].removeprefix("\n") == f"</textarea>{HOSTILE}"
    assert HOSTILE in page.text_by_id["email-error"]


@pytest.mark.parametrize(
    "markup",
    [
        status_page(
            _view(request_id=HOSTILE, next_step=HOSTILE), token=HOSTILE, message=HOSTILE, show_code_form=True
        ),
        message_page(HOSTILE, HOSTILE, status_url=f'/status/"{HOSTILE}'),
        download_page(HOSTILE, HOSTILE, UNTIL, code_sent=True, problem=HOSTILE),
        download_links_page(HOSTILE, None, 300),
    ],
    ids=["status", "message", "download", "download links"],
)
def test_the_other_pages_escape_what_they_are_given(markup: str) -> None:
    page = Page(markup)

    assert HOSTILE not in markup
    assert not page.all("img")
    attribute_values = [str(value) for _, attributes in page.elements for value in attributes.values()]
    assert HOSTILE in page.text or HOSTILE in attribute_values


def test_a_script_url_is_never_a_link() -> None:
    page = Page(message_page("Done", "Done.", status_url="javascript:alert(1)"))

    assert [link["href"] for link in page.all("a")] == ["#"]


def test_errors_sit_beside_their_fields_and_in_the_summary() -> None:
    errors = {
        "email": "Enter a valid email address.",
        "request_types": "Choose one or more of the things listed.",
        "correction_value_1": "Tell us what the detail should be.",
        "_form": "This form does not accept the field \u201cx\u201d.",
    }
    page = Page(request_form_page(_form(email="nope"), errors))

    summary = page.one("div", role="alert")
    assert summary["class"] == "error-summary"
    links = {link["href"] for link in page.all("a") if "hreflang" not in link}  # not the language switch
    assert links == {"#email", "#request_types-access", "#correction_value_1"}
    for target in links:
        page.by_id(str(target).removeprefix("#"))
    summary_text = page.text_by_id["error-summary"]
    for message in errors.values():
        assert message in summary_text

    for name in ("email", "correction_value_1"):
        assert page.text_by_id[f"{name}-error"].endswith(errors[name])
        control = page.one("input", name=name)
        assert f"{name}-error" in page.described_by(control)
        assert control["aria-invalid"] == "true"
    for box in page.all("input", name="request_types"):
        assert "request_types-error" in page.described_by(box)
        assert box["aria-invalid"] == "true"

    untouched = page.one("input", name="phone")
    assert "aria-invalid" not in untouched
    assert "phone-error" not in page.described_by(untouched)


def test_the_summary_lists_errors_in_the_order_of_the_form() -> None:
    page = Page(request_form_page(errors={"preferred_language": "c", "email": "b", "request_types": "a"}))

    hrefs = [link["href"] for link in page.all("a") if "hreflang" not in link]
    assert hrefs == ["#request_types-access", "#email", "#preferred_language"]


def test_a_form_without_errors_has_no_summary_and_no_invalid_fields() -> None:
    markup = request_form_page(_form(email="ada@example.com"))
    page = Page(markup)

    assert not page.all("div", role="alert")
    assert not [attributes for _, attributes in page.elements if "aria-invalid" in attributes]
    assert not [attributes for _, attributes in page.elements if "-error" in str(attributes.get("id"))]
    assert "Error:" not in page.text


@pytest.mark.parametrize("markup", _all_pages())
def test_every_page_is_a_whole_accessible_document_without_script(markup: str) -> None:
    page = Page(markup)

    assert markup.startswith("<!DOCTYPE html>")
    assert page.one("html")["lang"] == "en"
    assert page.one("meta", charset="utf-8")
    assert "width=device-width" in str(page.one("meta", name="viewport")["content"])
    assert page.all("title")
    assert not page.all("script")
    assert "<script" not in markup.lower()
    assert not [name for _, attributes in page.elements for name in attributes if name.startswith("on")]


def test_the_content_security_policy_allows_exactly_the_inline_style() -> None:
    digest = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()

    assert f"<style>{STYLE}</style>" in request_form_page()
    policy = RESPONSE_HEADERS["Content-Security-Policy"]
    assert f"'sha256-{digest}'" in policy
    assert "default-src 'none'" in policy
    assert "script-src" not in policy


# --- reading the posted form -------------------------------------------------------------------


def test_a_valid_form_becomes_the_request_it_describes() -> None:
    form = _blank_form(
        request_types=["access", "rectification"],
        email=" ada@example.com ",
        phone="020 7123 4567",
        country="gb",
        region="",
        relationship="account_holder",
        correction_field_2="surname",
        correction_value_2="Lovelace",
        details="Line one\r\nLine two",
    )

    request = new_request_from_form(form)

    assert request.request_types == [RequestType.ACCESS, RequestType.RECTIFICATION]
    assert request.subject.email == "ada@example.com"
    assert request.subject.phone == "+442071234567"
    assert request.subject.name is None
    assert request.subject.account_id is None
    assert request.relationship is Relationship.ACCOUNT_HOLDER
    assert request.country == "GB"
    assert request.region is None
    assert request.resolved_jurisdiction() == "UK"
    assert [(c.field, c.corrected_value) for c in request.corrections] == [("surname", "Lovelace")]
    assert request.details == "Line one\nLine two"
    assert request.preferred_language is None


def test_an_untouched_optional_select_leaves_the_default_relationship() -> None:
    request = new_request_from_form(_blank_form(request_types="erasure", email="ada@example.com"))

    assert request.relationship is Relationship.OTHER
    assert request.corrections == []
    assert request.country is None


def test_an_international_phone_number_needs_no_country() -> None:
    request = new_request_from_form(
        _form(request_types="access", email="a@example.com", phone="+1 202 555 0143")
    )

    assert request.subject.phone == "+12025550143"


def test_a_national_phone_number_without_a_country_is_refused_under_phone() -> None:
    errors = _errors(_form(request_types="access", email="a@example.com", phone="020 7123 4567"))

    assert set(errors) == {"phone"}
    assert "+44" in errors["phone"]


def test_rectification_without_a_correction_is_refused_under_a_correction_field() -> None:
    errors = _errors(_blank_form(request_types="rectification", email="a@example.com"))

    assert set(errors) == {"correction_value_1"}
    assert "which detail is wrong" in errors["correction_value_1"]


def test_a_half_filled_correction_row_is_refused_where_it_is_missing() -> None:
    errors = _errors(
        _blank_form(request_types="rectification", email="a@example.com", correction_value_2="Lovelace")
    )

    assert set(errors) == {"correction_field_2"}


def test_a_correction_without_rectification_is_refused_under_request_types() -> None:
    errors = _errors(
        _blank_form(
            request_types="access", email="a@example.com", correction_field_1="x", correction_value_1="y"
        )
    )

    assert set(errors) == {"request_types"}
    assert "Correct my personal data" in errors["request_types"]


@pytest.mark.parametrize("email", ["not-an-email", "ada@", ""])
def test_an_invalid_or_missing_email_is_refused_under_email(email: str) -> None:
    errors = _errors(_blank_form(request_types="access", email=email))

    assert set(errors) == {"email"}
    assert errors["email"].startswith("Enter")


def test_no_request_type_is_refused_under_request_types() -> None:
    errors = _errors(_blank_form(email="a@example.com"))

    assert set(errors) == {"request_types"}


def test_an_unknown_request_type_is_refused_under_request_types() -> None:
    errors = _errors(_form(request_types=["access", "everything"], email="a@example.com"))

    assert set(errors) == {"request_types"}


@pytest.mark.parametrize("unknown", ["jurisdiction", "is_admin", "subject.email"])
def test_an_unknown_field_is_refused_by_name(unknown: str) -> None:
    errors = _errors(_form(request_types="access", email="a@example.com", **{unknown: "x"}))

    assert set(errors) == {"_form"}
    assert f"\u201c{unknown}\u201d" in errors["_form"]


def test_a_field_given_twice_is_refused() -> None:
    errors = _errors(_form(request_types="access", email=["a@example.com", "b@example.com"]))

    assert set(errors) == {"email"}


def test_every_wrong_field_is_reported_at_once_in_plain_words() -> None:
    errors = _errors(
        _form(
            request_types="access",
            email="a@example.com",
            name="x" * 201,
            account_id="has spaces",
            country="GBR",
            region="!",
            relationship="boss",
            preferred_language="english",
            gift="1",
        )
    )

    assert set(errors) == {
        "_form",
        "name",
        "account_id",
        "country",
        "region",
        "relationship",
        "preferred_language",
    }
    assert errors["name"] == "Use at most 200 characters."
    assert errors["country"].startswith("Enter the two-letter code")
    for message in errors.values():
        assert not message.startswith("Value error")
        assert "pattern" not in message
        assert message[0].isupper()


def test_form_errors_name_fields_but_not_what_was_typed() -> None:
    with pytest.raises(FormErrors) as raised:
        new_request_from_form(_form(request_types="access", email="secret-person@", phone="0"))

    assert "secret-person" not in str(raised.value)
    assert "email" in str(raised.value)


def test_errors_from_the_reader_render_beside_the_fields_they_name() -> None:
    form = _blank_form(request_types="rectification", email="nope")
    errors = _errors(form)
    page = Page(request_form_page(form, errors))

    for name in errors:
        control = page.by_id("request_types-access" if name == "request_types" else name)
        assert f"{name}-error" in page.described_by(control)


# --- the subject's other pages -----------------------------------------------------------------


def test_the_status_page_shows_the_code_form_with_the_token_when_asked() -> None:
    markup = status_page(_view(), token="t0ken/with+chars", show_code_form=True)
    page = Page(markup)

    form, new_code = page.all("form")
    assert form["method"] == new_code["method"] == "post"
    assert form["action"] == f"/status/{REQUEST_ID}/verification"
    assert new_code["action"] == f"/status/{REQUEST_ID}/new-code"
    tokens = page.all("input", type="hidden")
    assert [(t["name"], t["value"]) for t in tokens] == [("token", "t0ken/with+chars")] * 2
    confirm, ask_again = page.all("button")
    assert "class" not in confirm and ask_again["class"] == "secondary"  # one primary action
    code = page.one("input", name="code")
    assert code["inputmode"] == "numeric"
    assert code["pattern"] == "[0-9]{6}"
    assert code["autocomplete"] == "one-time-code"
    assert page.one("label", **{"for": "code"})
    assert "Waiting for you to confirm your email address" in page.text
    assert "Enter the code we emailed you" in page.text
    assert "1 March 2026" in page.text
    assert "31 March 2026" in page.text
    assert "Delete my personal data" in page.text


def test_the_status_page_has_no_form_and_no_token_when_not_asked() -> None:
    markup = status_page(_view(Status.IN_PROGRESS), token="t0ken-secret", show_code_form=False)
    page = Page(markup)

    assert not page.all("form")
    assert not page.all("input")
    assert "t0ken-secret" not in markup
    assert "In progress" in page.text


def test_the_status_page_shows_a_message_and_can_post_elsewhere() -> None:
    page = Page(
        status_page(
            _view(),
            token="t",
            message="That code did not work.",
            show_code_form=True,
            action="/Prod/status/x/verification",
        )
    )

    assert page.one("div", role="status")
    assert "That code did not work." in page.text
    actions = [form["action"] for form in page.all("form")]
    assert actions == ["/Prod/status/x/verification", "/Prod/status/x/new-code"]


def test_a_message_page_links_back_only_when_given_a_status_url() -> None:
    with_link = Page(message_page("Code accepted", "Thank you.", status_url="/status/x?token=y"))
    without = Page(message_page("That code did not work", "Try again."))

    assert [link["href"] for link in with_link.all("a")] == ["/status/x?token=y"]
    assert "Code accepted" in with_link.text
    assert not without.all("a")
    assert "Try again." in without.text


# --- downloading the access package ------------------------------------------------------------


def test_the_download_page_offers_a_code_by_email_and_says_until_when_it_works() -> None:
    page = Page(download_page(REQUEST_ID, "t0ken-t0ken", UNTIL))

    [form] = page.all("form")
    assert form["action"] == f"/download/{REQUEST_ID}/code"
    assert page.one("input", type="hidden", name="token")["value"] == "t0ken-t0ken"
    assert "Email me a code" in page.text
    assert "14 March 2026, 10:32 UTC" in page.text
    assert page.one("time")["datetime"] == UNTIL.isoformat()
    assert not page.all("input", name="code")  # nothing to enter until a code is sent
    assert not page.all("a")


def test_once_a_code_is_sent_the_page_asks_for_it_and_offers_a_new_one() -> None:
    page = Page(download_page(REQUEST_ID, "t0ken-t0ken", UNTIL, code_sent=True))

    actions = [form["action"] for form in page.all("form")]
    assert actions == [f"/download/{REQUEST_ID}", f"/download/{REQUEST_ID}/code"]
    code = page.one("input", name="code")
    assert (code["pattern"], code["autocomplete"]) == ("[0-9]{6}", "one-time-code")
    assert "We have emailed a 6-digit code" in page.text
    assert "Email me a new code" in page.text


def test_once_a_code_is_sent_downloading_is_the_one_primary_action() -> None:
    page = Page(download_page(REQUEST_ID, "t0ken-t0ken", UNTIL, code_sent=True))

    download, new_code = page.all("button")
    assert "class" not in download  # the primary look
    assert new_code["class"] == "secondary"
    assert "The code we sent before then stops working" in page.text


def test_the_links_page_links_both_formats_and_says_how_long_they_work() -> None:
    markup = download_links_page(PRESIGNED, PRESIGNED.replace(".json", ".html"), 300)
    page = Page(markup)

    hrefs = [link["href"] for link in page.all("a")]
    assert hrefs == [PRESIGNED, PRESIGNED.replace(".json", ".html")]
    assert "&amp;X-Amz-Signature" in markup  # escaped in the markup, whole once parsed
    assert "5 minutes" in page.text.replace("\n", " ")


def test_the_expired_page_says_how_to_ask_again() -> None:
    page = Page(download_expired_page("https://desk.example/privacy-request", "privacy@desk.example"))

    assert "This download link has expired" in page.text
    hrefs = [link["href"] for link in page.all("a")]
    assert hrefs == ["https://desk.example/privacy-request", "mailto:privacy@desk.example"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"country": "XX"}, "country", "XX is not a country code (ISO 3166-1)"),
        ({"country": "US", "region": "ZZZ"}, "region", "ZZZ is not a region of US (ISO 3166-2)"),
        ({"region": "QC"}, "region", "A region needs its country"),
    ],
)
def test_a_country_or_region_that_does_not_exist_is_shown_beside_its_field(
    fields: dict[str, str], field: str, message: str
) -> None:
    errors = _errors(_blank_form(request_types="access", email="ada@example.com", **fields))

    assert list(errors) == [field]
    assert errors[field].startswith(message)


def test_a_real_country_and_region_are_taken() -> None:
    request = new_request_from_form(
        _blank_form(request_types="access", email="ada@example.com", country="us", region="ca")
    )

    assert (request.country, request.region, request.resolved_jurisdiction()) == ("US", "CA", "US-CA")


def test_an_appeal_that_arrives_by_email_keeps_its_words_without_direction_overrides() -> None:
    from dsr.core.field_types import without_control_characters

    assert (
        without_control_characters("I \u202eelbissopmi\u202c disagree\x00\x07\n") == "I elbissopmi disagree\n"
    )
