"""The local cloud reads functions published behind an alias as AWS does: ``!Ref Function.Alias``
is the function's ARN qualified by the alias, and a call by that ARN (or ``name:alias``) runs the
function."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from local_cloud.lambda_bridge import LambdaBridge, StateMachineLambda
from local_cloud.template import FunctionSpec, read_template

TEMPLATE_PATH = Path(__file__).resolve().parents[2] / "template.yaml"
PARAMETERS = {
    "PrivacyMailbox": "privacy@desk.example",
    "SenderAddress": "privacy@desk.example",
    "AlertEmail": "privacy-team@desk.example",
    "PublicBaseUrl": "https://privacy.desk.example",
}


def _task_functions(definition: dict[str, Any]) -> dict[str, str]:
    """Each Lambda task state's name and the FunctionName it invokes, at any depth."""
    found: dict[str, str] = {}
    for name, state in definition.get("States", {}).items():
        function = state.get("Parameters", {}).get("FunctionName")
        if function:
            found[name] = function
        for branch in state.get("Branches", []):
            found |= _task_functions(branch)
        for nested in ("Iterator", "ItemProcessor"):
            if nested in state:
                found |= _task_functions(state[nested])
    return found


def test_the_workflow_invokes_the_snapshotted_tasks_by_their_alias() -> None:
    template = read_template(TEMPLATE_PATH, PARAMETERS)

    definition = json.loads(template.state_machine_definition("RequestWorkflow", {}))
    invoked = set(_task_functions(definition).values())

    acknowledge = template.arn("AcknowledgeRequestFunction")
    verification = template.arn("StartVerificationFunction")
    assert f"{acknowledge}:live" in invoked and acknowledge not in invoked
    assert f"{verification}:live" in invoked and verification not in invoked
    # A function without an alias is still invoked by its plain ARN.
    assert template.arn("RunSystemTaskFunction") in invoked
    assert template.mail_receipt()[2] == "EmailIntakeFunction"


def alias_echo(event: Any, context: Any) -> dict[str, Any]:
    return {"event": event, "invoked_as": context.invoked_function_arn}


def test_a_function_runs_when_called_by_its_alias_arn_or_name() -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:privacy-desk-EchoFunction"
    bridge = LambdaBridge(
        {"EchoFunction": FunctionSpec("EchoFunction", f"{__name__}.alias_echo", {}, 128, 30)},
        {"EchoFunction": arn},
    )
    lambda_service = StateMachineLambda(bridge, client=None)

    by_arn = lambda_service.invoke(FunctionName=f"{arn}:live", Payload=b'{"n": 1}')
    by_name = lambda_service.invoke(FunctionName="privacy-desk-EchoFunction:live", Payload=b'{"n": 2}')

    assert json.loads(by_arn["Payload"].read()) == {"event": {"n": 1}, "invoked_as": f"{arn}:live"}
    assert json.loads(by_name["Payload"].read())["event"] == {"n": 2}
    assert [run.function for run in bridge.invocations] == ["EchoFunction", "EchoFunction"]
