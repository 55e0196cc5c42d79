"""``dsr local drp-agent``: the local cloud's demonstration agent, speaking the Data Rights
Protocol 1.0 to the desk as an authorized agent would.

The agent's private key stays in the local cloud's process: each command asks the local cloud to
sign (``POST /_local/drp-agent/sign``, which pairs the agent with the desk the first time) and
then sends the signed body to the desk's DRP routes itself, with the agent's bearer token.
``--tamper``, ``--expired`` and ``--replay`` are for demonstrations and tests: a body whose
signature does not verify, one whose ``expires-at`` has passed, and the same body sent twice.
"""

from __future__ import annotations

import argparse
from typing import Any, TextIO
from urllib.parse import quote

from dsr_cli.command import CommandError, add_json_option, desk_url, print_json, refusal
from dsr_cli.http_client import DeskClient, HttpAnswer

EXERCISES = ("deletion", "sale:opt-out", "access", "access:categories", "access:specific", "sale:opt-in")
AGENT_ROUTES = "/_local/drp-agent"
URL_HELP = "the local cloud (default: DSR_URL, else http://127.0.0.1:$PORT, port 3000)"


def add_drp_agent_commands(local: Any) -> None:
    """The ``drp-agent`` group under ``dsr local``."""
    group = local.add_parser(
        "drp-agent", help="the local cloud's demonstration authorized agent (Data Rights Protocol)"
    ).add_subparsers(dest="agent_command", required=True)

    exercise = group.add_parser(
        "exercise", help="send a signed request for a person; prints the status answered"
    )
    exercise.add_argument("--exercise", required=True, choices=EXERCISES, help="the right, in DRP's words")
    exercise.add_argument("--email", required=True, help="the person's email address")
    exercise.add_argument("--name", required=True, help="the person's name")
    exercise.add_argument("--regime", choices=["ccpa"], help="the legal regime (none: voluntary)")
    exercise.add_argument("--email-verified", action="store_true", help="the agent verified the email")
    exercise.add_argument("--agent-request-id", help="the agent's own id for the request")
    exercise.add_argument(
        "--country", help="the address claim's country, e.g. GB (the jurisdiction without a regime)"
    )
    exercise.add_argument("--region", help="the address claim's region, e.g. CA")
    exercise.add_argument("--street", help="the address claim's street address")
    exercise.add_argument("--locality", help="the address claim's city or town")
    exercise.add_argument("--postal-code", help="the address claim's postal code")
    exercise.add_argument("--phone", help="the person's phone number, E.164 (+12025550143)")
    exercise.add_argument("--phone-verified", action="store_true", help="the agent verified the phone")
    _add_refusal_knobs(exercise, replay=True)

    status = group.add_parser("status", help="the status the desk answers for a request")
    status.add_argument("request_id")

    revoke = group.add_parser("revoke", help="send a signed revocation of a request")
    revoke.add_argument("request_id")
    revoke.add_argument("--reason", required=True, help="the person's reason")
    _add_refusal_knobs(revoke, replay=False)

    callbacks = group.add_parser("callbacks", help="the status callbacks the agent received for a request")
    callbacks.add_argument("request_id")

    for command in (exercise, status, revoke, callbacks):
        command.add_argument("--url", help=URL_HELP)
        add_json_option(command)


def _add_refusal_knobs(parser: argparse.ArgumentParser, *, replay: bool) -> None:
    knobs = parser.add_argument_group("testing: bodies the desk must refuse")
    knobs.add_argument("--tamper", action="store_true", help="testing: a signature that does not verify")
    knobs.add_argument("--expired", action="store_true", help="testing: a body whose expires-at has passed")
    if replay:
        knobs.add_argument("--replay", action="store_true", help="testing: send the same signed body twice")


def run_drp_agent_command(args: argparse.Namespace, out: TextIO) -> int:
    client = DeskClient(desk_url(args.url))
    command = args.agent_command
    if command == "exercise":
        fields = {
            "exercise": args.exercise,
            "email": args.email,
            "name": args.name,
            "regime": args.regime,
            "email_verified": args.email_verified,
            "agent_request_id": args.agent_request_id,
            "phone_number": args.phone,
            "phone_number_verified": args.phone_verified,
            "tamper": args.tamper,
            "expired": args.expired,
        }
        address = {
            "street_address": args.street,
            "locality": args.locality,
            "region": args.region,
            "postal_code": args.postal_code,
            "country": args.country,
        }
        if any(address.values()):
            fields["address"] = {k: v for k, v in address.items() if v}
        answers = exercise(client, fields, replay=args.replay)
    elif command == "status":
        answers = [status(client, args.request_id)]
    elif command == "revoke":
        fields = {"reason": args.reason, "tamper": args.tamper, "expired": args.expired}
        answers = [revoke(client, args.request_id, fields)]
    else:
        return _print_callbacks(callbacks(client, args.request_id), out, as_json=args.json)
    for number, answer in enumerate(answers):
        what = "the replayed body" if number else f"the {command}"
        if answer.status != 200:
            raise CommandError(f"the desk refused {what}: {refusal(answer)}")
        print_json(answer.body, out)
    return 0


# --- what the commands (and the demo) do ---------------------------------------------------------


def signed(client: DeskClient, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The local cloud's agent signs: the body and the agent's bearer token."""
    answer = _local(client, "POST", "/sign", {"kind": kind, **fields})
    return dict(answer.body)


def token(client: DeskClient) -> str:
    return str(_local(client, "POST", "/token", {}).body["token"])


def exercise(client: DeskClient, fields: dict[str, Any], *, replay: bool = False) -> list[HttpAnswer]:
    """Send an exercise body (twice with ``replay``): the desk's answer to each sending."""
    message = signed(client, "exercise", fields)
    answers = [_send(client, "POST", "/v1/data-rights-request", message)]
    if replay:
        answers.append(_send(client, "POST", "/v1/data-rights-request", message))
    return answers


def status(client: DeskClient, request_id: str) -> HttpAnswer:
    agent = DeskClient(client.base_url, token(client))
    return agent.get(f"/v1/data-rights-request/{quote(request_id, safe='')}")


def revoke(client: DeskClient, request_id: str, fields: dict[str, Any]) -> HttpAnswer:
    message = signed(client, "revoke", fields)
    return _send(client, "DELETE", f"/v1/data-rights-request/{quote(request_id, safe='')}", message)


def callbacks(client: DeskClient, request_id: str) -> list[dict[str, Any]]:
    return list(_local(client, "GET", f"/callbacks?request_id={quote(request_id, safe='')}").body)


def _send(client: DeskClient, method: str, path: str, message: dict[str, Any]) -> HttpAnswer:
    agent = DeskClient(client.base_url, str(message["token"]))
    return agent.call(method, path, raw=str(message["body"]).encode(), content_type="text/plain")


def _local(client: DeskClient, method: str, path: str, payload: Any = None) -> HttpAnswer:
    answer = client.call(method, f"{AGENT_ROUTES}{path}", payload)
    if answer.status in {403, 404}:  # API Gateway answers 403 for a route it does not have
        raise CommandError(
            f"{client.base_url} has no demonstration agent: drp-agent works with the local cloud (make run)"
        )
    if answer.status != 200:
        raise CommandError(f"the local cloud's agent could not do that: {refusal(answer)}")
    return answer


def _print_callbacks(received: list[dict[str, Any]], out: TextIO, *, as_json: bool) -> int:
    if as_json:
        print_json(received, out)
        return 0
    if not received:
        print("no callbacks received", file=out)
    for callback in received:
        status_object = callback.get("status") or {}
        state = "/".join(filter(None, [status_object.get("status"), status_object.get("reason")]))
        expected = f"  expected by {status_object['expected_by']}" if status_object.get("expected_by") else ""
        print(f"{callback['received_at']}  answered {callback['answered']}  {state}{expected}", file=out)
    return 0
