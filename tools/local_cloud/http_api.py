"""API Gateway on one machine: each HTTP request becomes a REST API proxy event for the route
template.yaml declares, handled in-process. Also serves the local cloud's own pages."""

from __future__ import annotations

import base64
import html
import json
import logging
import os
import re
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlencode, urlsplit

from dsr.core.languages import language_name, locale_id
from dsr.web.response_headers import GATEWAY_HEADERS
from local_cloud import s3_links
from local_cloud.clock import local_clock
from local_cloud.cloud import LocalCloud
from local_cloud.company_page import COMPANY_PAGE_PATH, company_page
from local_cloud.demo_data import ACCOUNT_HOLDERS
from local_cloud.drp_agent import PairingError
from local_cloud.hosted_sign_in import (
    AUTHORIZE_PATH,
    LOGOUT_PATH,
    TOKEN_PATH,
    AuthorizationRequest,
    HostedSignIn,
    SignInError,
)
from local_cloud.http_server import LocalHTTPServer
from local_cloud.product_login import PRODUCT_CONFIRM_PATH, PRODUCT_SIGN_IN_PATH
from local_cloud.staff_tokens import DEMO_STAFF, InvalidTokenError, LocalTokenIssuer
from local_cloud.template import ApiRoute

logger = logging.getLogger(__name__)
Checked = TypeVar("Checked")
MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
# What a REST API answers, whatever the method, for a path or method that no route declares.
MISSING_ROUTE_BODY = b'{"message":"Missing Authentication Token"}'
MISSING_ROUTE_HEADERS = {
    "Content-Type": "application/json",
    "x-amzn-ErrorType": "MissingAuthenticationTokenException",
}


class LocalApi:
    def __init__(
        self,
        cloud: LocalCloud,
        host: str = "127.0.0.1",
        port: int = 3000,
        *,
        server: LocalHTTPServer | None = None,
    ) -> None:
        """Serves on ``server`` when given (bound before the cloud started, so that the port its
        links carry stayed this server's), else on a new one at ``host``:``port``."""
        self.cloud = cloud
        self.tokens = LocalTokenIssuer()
        self.sign_in = HostedSignIn(cloud.console_url, self.tokens.issue)
        # A route of the method itself comes before an ANY route of the same path, as in API Gateway.
        self.routes: list[ApiRoute] = sorted(
            cloud.template.api_routes(), key=lambda route: route.method == "ANY"
        )
        api = self

        class Handler(_RequestHandler):
            local_api = api

        if server is None:
            server = LocalHTTPServer((host, port), Handler)
        server.RequestHandlerClass = Handler
        self.server = server
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def start_in_background(self) -> LocalApi:
        self._thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.05},  # so that stop() returns promptly (the default waits 0.5 s)
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def proxy_event(
        self,
        *,
        route: ApiRoute,
        method: str,
        path: str,
        params: dict[str, str],
        query: str,
        headers: dict[str, str],
        body: bytes,
        source_ip: str,
    ) -> dict[str, Any]:
        claims = None
        if route.authorizer:
            claims = self.tokens.claims(headers.get("authorization"))
        multi_query = parse_qs(query, keep_blank_values=True)
        try:
            text_body: str | None = body.decode() if body else None
            encoded = False
        except UnicodeDecodeError:
            text_body, encoded = base64.b64encode(body).decode(), True
        return {
            "resource": route.path,
            "path": path,
            "httpMethod": method,
            "headers": headers,
            "multiValueHeaders": {k: [v] for k, v in headers.items()},
            "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": params or None,
            "stageVariables": None,
            "body": text_body,
            "isBase64Encoded": encoded,
            "requestContext": {
                "resourcePath": route.path,
                "httpMethod": method,
                "path": f"/prod{path}",
                "stage": "prod",
                "requestId": str(uuid.uuid4()),
                "accountId": "123456789012",
                "apiId": "local",
                "protocol": "HTTP/1.1",
                "identity": {"sourceIp": source_ip, "userAgent": headers.get("user-agent")},
                "authorizer": {"claims": claims} if claims else None,
            },
        }


class _RequestHandler(BaseHTTPRequestHandler):
    local_api: LocalApi
    server_version = "privacy-desk-local"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet: the functions log what matters, without personal data."""

    def __getattr__(self, name: str) -> Callable[[], None]:
        """``do_<METHOD>`` for every method, TRACE and QUERY included: each goes to the routes,
        and a method no route declares is answered as API Gateway answers it, not with a 501."""
        if name.startswith("do_"):
            return lambda: self._dispatch(self.command)
        raise AttributeError(name)

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._send(413, {"message": "Request Too Long"})
            return
        body = self.rfile.read(length) if length else b""
        if url.path.startswith("/_local/") or url.path == "/":
            self._local(method, url.path, url.query, body)
            return
        if method == "GET" and s3_links.is_presigned(url.query):  # S3 at this address (path style)
            self._s3_get(url.path, url.query)
            return
        for route in self.local_api.routes:
            params = route.match(method, url.path)
            if params is not None:
                self._proxy(
                    route=route, method=method, path=url.path, params=params, query=url.query, body=body
                )
                return
        if method == "GET" and s3_links.names_a_bucket(url.path):  # an unsigned GET of an object
            self._s3_get(url.path, url.query)
            return
        self._send_raw(403, MISSING_ROUTE_BODY, MISSING_ROUTE_HEADERS)

    def _s3_get(self, path: str, query: str) -> None:
        answer = s3_links.presigned_get(self.headers.get("Host", ""), path, query)
        self._send_raw(answer.status, answer.body, answer.headers)

    def _proxy(
        self,
        *,
        route: ApiRoute,
        method: str,
        path: str,
        params: dict[str, str],
        query: str,
        body: bytes,
    ) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            event = self.local_api.proxy_event(
                route=route,
                method=method,
                path=path,
                params=params,
                query=query,
                headers=headers,
                body=body,
                source_ip=self.client_address[0],
            )
        except InvalidTokenError:
            self._send(401, {"message": "Unauthorized"})
            return
        try:
            result = self.local_api.cloud.invoke(route.function, event)
        except Exception:  # what API Gateway says when the integration fails
            logger.exception("function %s failed", route.function)
            self._send(502, {"message": "Internal server error"})
            return
        payload = result.get("body") or ""
        raw = base64.b64decode(payload) if result.get("isBase64Encoded") else payload.encode()
        response_headers = dict(result.get("headers") or {})
        for name, values in (result.get("multiValueHeaders") or {}).items():
            response_headers[name] = ", ".join(values)
        self._send_raw(int(result.get("statusCode", 200)), raw, response_headers)

    # --- the local cloud's own pages -------------------------------------------------------------

    def _local(self, method: str, path: str, query: str, body: bytes) -> None:
        cloud = self.local_api.cloud
        html = {"Content-Type": "text/html; charset=utf-8"}
        pages: dict[tuple[str, str], Callable[[], None]] = {
            ("GET", "/"): lambda: self._send_raw(200, _index_page(self.local_api).encode(), html),
            ("GET", "/_local/outbox.json"): lambda: self._send(200, [m.__dict__ for m in cloud.outbox()]),
            ("GET", "/_local/outbox"): lambda: self._send_raw(200, _outbox_page(cloud).encode(), html),
            ("POST", "/_local/staff-token"): lambda: self._issue_token(body),
            ("GET", AUTHORIZE_PATH): lambda: self._sign_in_page(query),
            ("POST", AUTHORIZE_PATH): lambda: self._signed_in(body),
            ("POST", TOKEN_PATH): lambda: self._exchange_code(body),
            ("GET", LOGOUT_PATH): lambda: self._signed_out(query),
            ("POST", "/_local/inbound-email"): lambda: self._send(200, cloud.receive_email(body)),
            ("POST", "/_local/product-login"): lambda: self._product_login(body),
            ("GET", PRODUCT_SIGN_IN_PATH): lambda: self._product_sign_in_page(query),
            ("POST", PRODUCT_CONFIRM_PATH): lambda: self._product_signed_in(body),
            ("POST", "/_local/clock"): lambda: self._move_clock(body),
            ("POST", "/_local/settings"): lambda: self._change_settings(body),
            ("POST", "/_local/run-schedules"): self._run_schedules,
            ("GET", COMPANY_PAGE_PATH): lambda: self._company_page(query),
        }
        if (method, path) in pages:
            pages[(method, path)]()
        elif (found := re.fullmatch(r"/_local/processors/([a-z0-9.-]+)", path)) and method == "POST":
            self._set_processor(found.group(1), body)
        elif (found := re.fullmatch(r"/_local/executions/([0-9a-f-]{36})", path)) and method == "GET":
            self._send(200, _execution_summary(cloud, found.group(1)))
        elif path == "/_local/drp-agent" or path.startswith("/_local/drp-agent/"):
            self._drp_agent(method, path, query, body)
        else:
            self._send(404, {"message": f"no local page {path}"})

    def _set_processor(self, domain: str, body: bytes) -> None:
        """Make a demonstration processor fail its next creates, slow (seconds per step), or accept
        and never answer."""
        processor = self.local_api.cloud.processors.get(domain)
        if processor is None:
            self._send(404, {"message": f"no demonstration processor {domain}"})
            return
        try:
            switches = json.loads(body or b"{}")
            if "fail_next" in switches:
                processor.fail_next(int(switches["fail_next"]))
            if "never_answer" in switches:
                processor.never_answer = bool(switches["never_answer"])
            if "delay_seconds" in switches:
                processor.delay_seconds = min(max(float(switches["delay_seconds"]), 0.0), 60.0)
        except (ValueError, TypeError, AttributeError):
            self._send(
                400,
                {"message": "send fail_next (a count), delay_seconds, and/or never_answer (true or false)"},
            )
            return
        self._send(
            200, {"domain": domain, "base_url": processor.base_url, "never_answer": processor.never_answer}
        )

    def _company_page(self, query: str) -> None:
        """A page of the company's own site that embeds the desk's GPC script (``company_page``)."""
        chosen = parse_qs(query, keep_blank_values=True).get("account")
        page = company_page(
            chosen[0] if chosen else None, self.local_api.cloud.product_login, local_clock.now()
        )
        self._send_raw(200, page.encode(), _HTML)

    def _drp_agent(self, method: str, path: str, query: str, body: bytes) -> None:
        """The demonstration DRP agent (local_cloud.drp_agent): its entry, signing for the command
        line, its status-callback endpoint and what it received, and its failure switch."""
        agent = self.local_api.cloud.drp_agent
        route = (method, path.removeprefix("/_local/drp-agent"))
        if route == ("GET", ""):
            entry = agent.directory_entry()
            self._send(200, {**entry, "callback_url": agent.callback_url, "paired": agent.token is not None})
        elif route == ("POST", "/callbacks"):
            self._send_raw(agent.receive_callback(body), b"{}", {"Content-Type": "application/json"})
        elif route == ("GET", "/callbacks"):
            request_id = _single_values(query.encode()).get("request_id")
            self._send(200, agent.callbacks(request_id))
        elif route == ("POST", "/sign"):
            self._drp_agent_sign(body)
        elif route == ("POST", "/token"):
            try:
                self._send(200, {"agent_id": agent.directory_entry()["id"], "token": agent.paired()})
            except PairingError as problem:
                self._send(502, {"message": str(problem)})
        elif route == ("POST", "/switches"):
            try:
                agent.fail_next_callbacks(int(json.loads(body or b"{}")["fail_next_callbacks"]))
            except (ValueError, KeyError, TypeError):
                self._send(400, {"message": "send fail_next_callbacks, a count"})
                return
            self._send(200, {"fail_next_callbacks": int(json.loads(body)["fail_next_callbacks"])})
        else:
            self._send(404, {"message": f"no local page {method} {path}"})

    def _drp_agent_sign(self, body: bytes) -> None:
        try:
            fields = json.loads(body or b"{}")
            kind = str(fields.pop("kind"))
            signed = self.local_api.cloud.drp_agent.signed(kind, fields)
        except (ValueError, KeyError, TypeError, AttributeError) as problem:
            self._send(400, {"message": f"cannot sign that: {problem}"})
            return
        except PairingError as problem:
            self._send(502, {"message": str(problem)})
            return
        self._send(200, signed)

    def _run_schedules(self) -> None:
        self.local_api.cloud.run_schedules()
        self._send(200, {"ran": True})

    def _product_login(self, body: bytes) -> None:
        """The company's product, played locally: the account holder has just signed in."""
        try:
            fields = json.loads(body or b"{}")
            assertion = self.local_api.cloud.product_login.assertion_for(
                str(fields["request_id"]), str(fields["account_id"]), str(fields["email"]), local_clock.now()
            )
        except (ValueError, KeyError, TypeError):
            self._send(400, {"message": "send request_id, account_id and email"})
            return
        self._send(200, {"assertion": assertion})

    def _product_sign_in_page(self, query: str) -> None:
        """Where the sign-in email's link leads: the product's login, played locally."""
        request_id = _single_values(query.encode()).get("request_id", "")
        if not _REQUEST_ID.fullmatch(request_id):
            self._refuse_product_sign_in("The link has no privacy request in it; open the one in our email.")
            return
        self._send_raw(200, _product_sign_in_form(request_id).encode(), _HTML)

    def _product_signed_in(self, body: bytes) -> None:
        """The account holder signed in: the product vouches for them to the desk, posting a signed
        assertion to the desk's API as it would in production."""
        form = _single_values(body)
        request_id, account_id = form.get("request_id", ""), form.get("account_id", "")
        email = ACCOUNT_HOLDERS.get(account_id)
        if not _REQUEST_ID.fullmatch(request_id) or email is None:
            self._refuse_product_sign_in("Choose a demonstration account holder.")
            return
        assertion = self.local_api.cloud.product_login.assertion_for(
            request_id, account_id, email, local_clock.now()
        )
        path = f"/requests/{request_id}/verification/account"
        route, params = next(
            (route, params)
            for route in self.local_api.routes
            if (params := route.match("POST", path)) is not None
        )
        event = self.local_api.proxy_event(
            route=route,
            method="POST",
            path=path,
            params=params,
            query="",
            headers={"content-type": "application/json"},
            body=json.dumps({"assertion": assertion}).encode(),
            source_ip=self.client_address[0],
        )
        try:
            answer = self.local_api.cloud.invoke(route.function, event)
        except Exception:  # as API Gateway would answer the product
            logger.exception("function %s failed", route.function)
            answer = {"statusCode": 502}
        if int(answer.get("statusCode", 502)) != 200:
            self._refuse_product_sign_in(
                "You are signed in, but the privacy desk did not accept the confirmation: the request "
                "may be confirmed already, or belong to another account."
            )
            return
        confirmed = (
            f"<p>You are signed in as {html.escape(email)}. Your privacy request "
            f"{html.escape(request_id[:8])} is confirmed; the privacy team will now review it and email "
            "you.</p>"
        )
        self._send_raw(200, _page("Request confirmed", confirmed).encode(), _HTML)

    def _refuse_product_sign_in(self, problem: str) -> None:
        self._send_raw(400, _page("Not confirmed", f"<p>{html.escape(problem)}</p>").encode(), _HTML)

    def _move_clock(self, body: bytes) -> None:
        """Move the desk's clock forward (never back), to show deadlines and windows passing."""
        try:
            seconds = float(json.loads(body or b"{}")["advance_seconds"])
        except (ValueError, KeyError, TypeError):
            seconds = -1
        if seconds < 0:
            self._send(400, {"message": "send advance_seconds, zero or more"})
            return
        local_clock.advance(timedelta(seconds=seconds))
        self._send(200, {"now": local_clock.now().isoformat()})

    def _change_settings(self, body: bytes) -> None:
        """Turn a deployment setting the demonstration shows on or off, as a redeployment with
        another parameter would: ``{"review_access_packages": true}`` (ReviewAccessPackages)."""
        try:
            review = json.loads(body or b"{}")["review_access_packages"]
        except (ValueError, KeyError, TypeError):
            review = None
        if not isinstance(review, bool):
            self._send(400, {"message": "send review_access_packages, true or false"})
            return
        from dsr.wiring.desk import desk_from_environment  # noqa: PLC0415 - as the cloud does

        os.environ["REVIEW_ACCESS_PACKAGES"] = "true" if review else "false"
        desk_from_environment.cache_clear()  # the functions read their settings again
        self._send(200, {"review_access_packages": review})

    def _issue_token(self, body: bytes) -> None:
        try:
            username = json.loads(body or b"{}").get("username", "")
            token = self.local_api.tokens.issue(username)
        except (ValueError, KeyError, AttributeError):
            self._send(400, {"message": "username must be one of " + ", ".join(DEMO_STAFF)})
            return
        self._send(200, {"token": token, "username": username, "groups": DEMO_STAFF[username]})

    # --- the user pool's hosted sign-in page, played locally ---------------------------------------

    def _sign_in_page(self, query: str) -> None:
        request = self._or_refused(self.local_api.sign_in.authorization_request, query.encode())
        if request is not None:
            self._send_raw(200, _sign_in_form(request).encode(), _HTML)

    def _signed_in(self, body: bytes) -> None:
        request = self._or_refused(self.local_api.sign_in.authorization_request, body)
        if request is None:
            return
        form = _single_values(body)
        if "cancel" in form:
            answer = {"error": "access_denied", "error_description": "the sign-in was cancelled"}
        elif form.get("username") in DEMO_STAFF:
            answer = {"code": self.local_api.sign_in.grant(form["username"], request)}
        else:
            self._refuse_sign_in("Choose a demonstration staff member.")
            return
        self._redirect(f"{request.redirect_uri}?{urlencode({**answer, 'state': request.state})}")

    def _signed_out(self, query: str) -> None:
        destination = self._or_refused(self.local_api.sign_in.signed_out_to, query.encode())
        if destination is not None:
            self._redirect(destination)

    def _or_refused(self, check: Callable[[dict[str, str]], Checked], encoded: bytes) -> Checked | None:
        """What ``check`` makes of a query or form, or None once the page has said what is wrong."""
        try:
            return check(_single_values(encoded))
        except SignInError as problem:
            self._refuse_sign_in(str(problem))
            return None

    def _refuse_sign_in(self, problem: str) -> None:
        self._send_raw(400, _page("Sign-in refused", f"<p>{html.escape(problem)}</p>").encode(), _HTML)

    def _redirect(self, location: str) -> None:
        self._send_raw(302, b"", {"Location": location, "Cache-Control": "no-store"})

    def _exchange_code(self, body: bytes) -> None:
        no_store = {"Content-Type": "application/json", "Cache-Control": "no-store"}
        try:
            tokens = self.local_api.sign_in.exchange(_single_values(body))
        except SignInError as problem:
            status = 401 if problem.error == "invalid_client" else 400
            answer = {"error": problem.error, "error_description": str(problem)}
            self._send_raw(status, json.dumps(answer).encode(), no_store)
            return
        self._send_raw(200, json.dumps(tokens).encode(), no_store)

    def _send(self, status: int, payload: Any) -> None:
        """The gateway's own answer, with the headers template.yaml's GatewayResponses give it."""
        self._send_raw(
            status,
            json.dumps(payload, default=str).encode(),
            {"Content-Type": "application/json", **GATEWAY_HEADERS},
        )

    def _send_raw(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(
            status, HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
        )
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":  # a HEAD answer has the headers of the body, never the body
            self.wfile.write(body)


def _execution_summary(cloud: LocalCloud, request_id: str) -> dict[str, Any]:
    history = cloud.execution_history(request_id)
    return {
        "request_id": request_id,
        "status": history["status"],
        "states": states_timeline(history["events"]),
    }


def states_timeline(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each top-level state entered, with when it was entered and left (from the history)."""
    timeline: list[dict[str, Any]] = []
    open_states: dict[str, dict[str, Any]] = {}
    depth = 0  # inside a Map iteration, states belong to the item, not to the request's path
    for event in events:
        kind = event["type"]
        if kind == "MapIterationStarted":
            depth += 1
        elif kind in {"MapIterationSucceeded", "MapIterationFailed", "MapIterationAborted"}:
            depth -= 1
        elif depth:
            continue
        elif kind.endswith("StateEntered"):
            name = event["stateEnteredEventDetails"]["name"]
            entry = {"state": name, "entered": event["timestamp"].isoformat(), "exited": None}
            if name not in open_states:
                timeline.append(entry)
                open_states[name] = entry
        elif kind.endswith("StateExited"):
            name = event["stateExitedEventDetails"]["name"]
            if name in open_states:
                open_states[name]["exited"] = event["timestamp"].isoformat()
    return timeline


def _language_shown(tag: str | None) -> str:
    """``fr-CA`` as ``Français (Canada) (fr-CA)``: the language a message was written in."""
    if not tag:
        return "not stated"
    return f"{language_name(locale_id(tag))} ({tag})"


def _outbox_page(cloud: LocalCloud) -> str:
    own_links = re.compile(re.escape(html.escape(cloud.base_url)) + r"/[^\s<]+")  # every link the desk sends
    rows = []
    for mail in reversed(cloud.outbox()):
        text = html.escape(mail.body)
        text = own_links.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', text)
        lang = html.escape(mail.language or "en", quote=True)
        rows.append(
            f'<article><h2 lang="{lang}">{html.escape(mail.subject)}</h2>'
            f"<p>To: {html.escape(', '.join(mail.to))}</p>"
            f"<p>Language: {html.escape(_language_shown(mail.language))}</p>"
            f'<pre lang="{lang}">{text}</pre></article>'
        )
    return _page("Outbox", "<p>Mail the desk has sent, newest first.</p>" + "".join(rows))


_REQUEST_ID = re.compile(r"[0-9a-f-]{36}")
_HTML = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}


def _single_values(encoded: bytes) -> dict[str, str]:
    """A query string or form body, each name with its first value."""
    return {name: values[0] for name, values in parse_qs(encoded.decode("utf-8", "replace")).items()}


def _sign_in_form(request: AuthorizationRequest) -> str:
    """The hosted page: choose a demonstration staff member; the console's request rides along."""
    carried = {
        "response_type": "code",
        "client_id": request.client_id,
        "redirect_uri": request.redirect_uri,
        "state": request.state,
        "code_challenge": request.code_challenge,
        "code_challenge_method": "S256",
        "scope": request.scope,
    }
    hidden = "".join(
        f'<input type=hidden name="{name}" value="{html.escape(value, quote=True)}">'
        for name, value in carried.items()
    )
    options = "".join(
        f'<option value="{html.escape(name, quote=True)}">{html.escape(name)} ({", ".join(groups)})</option>'
        for name, groups in DEMO_STAFF.items()
    )
    return _page(
        "Sign in to the privacy desk",
        "<p>The local cloud's stand-in for the user pool's hosted sign-in page.</p>"
        f'<form method=post action="{AUTHORIZE_PATH}">{hidden}'
        "<p><label for=username>Demonstration staff member</label> "
        f"<select id=username name=username>{options}</select></p>"
        "<p><button type=submit>Sign in</button> <button type=submit name=cancel value=1>Cancel</button></p>"
        "</form>",
    )


def _product_sign_in_form(request_id: str) -> str:
    """The product's login, played locally: an account holder signs in to confirm a request."""
    options = "".join(
        f'<option value="{html.escape(account, quote=True)}">'
        f"{html.escape(email)} ({html.escape(account)})</option>"
        for account, email in ACCOUNT_HOLDERS.items()
    )
    return _page(
        "Sign in to your account",
        "<p>The local cloud's stand-in for the product's login. Signing in confirms privacy request "
        f"{html.escape(request_id[:8])}.</p>"
        f'<form method=post action="{PRODUCT_CONFIRM_PATH}">'
        f'<input type=hidden name=request_id value="{html.escape(request_id, quote=True)}">'
        "<p><label for=account_id>Demonstration account holder</label> "
        f"<select id=account_id name=account_id>{options}</select></p>"
        "<p><button type=submit>Sign in and confirm</button></p></form>",
    )


def _index_page(api: LocalApi) -> str:
    return _page(
        "Privacy rights desk (local cloud)",
        "<ul>"
        '<li><a href="/privacy-request">Privacy request form</a></li>'
        '<li><a href="/console">Staff console</a>: sign in as a demonstration staff member</li>'
        '<li><a href="/swagger">API documentation</a> (<a href="/openapi.json">OpenAPI</a>)</li>'
        '<li><a href="/_local/outbox">Outbox</a>: the mail the desk has sent</li>'
        '<li><a href="/_local/drp-agent/callbacks">DRP agent callbacks</a>: the statuses the '
        "demonstration agent was sent (JSON)</li>"
        f'<li><a href="{COMPANY_PAGE_PATH}">A page of the company\'s site</a>: Global Privacy Control '
        "with a signed-in account holder</li>"
        "</ul>",
    )


def _page(title: str, content: str) -> str:
    return (
        "<!doctype html><html lang=en><meta charset=utf-8>"
        f"<title>{html.escape(title)}</title>"
        # Long links in the emails break anywhere, so that the outbox fits a phone's width.
        "<meta name=viewport content='width=device-width, initial-scale=1'>"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
        "padding:0 1rem;overflow-wrap:anywhere}pre{white-space:pre-wrap;background:#f5f5f5;padding:1rem}"
        # Links in a list far enough apart to be touched one at a time (WCAG 2.5.8, 24 px).
        "article{border-bottom:1px solid #ddd}li{margin:.5rem 0}</style>"
        f"<main><h1>{html.escape(title)}</h1>{content}</main></html>"
    )
