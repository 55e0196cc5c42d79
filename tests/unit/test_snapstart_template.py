"""SnapStart in the deployed template: the functions people wait for are published behind an alias
with SnapStart on, and, once the SAM translator has turned the template into CloudFormation,
everything that invokes one of them (API Gateway, SES, the state machine, EventBridge, their
permissions) names the alias, never the unqualified function: that would run $LATEST, which is
never snapshotted, and pay the whole cold start."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from local_cloud.template import load_template
from tests.unit.test_template import TEMPLATE_PATH, sam_transform

# One worker runs every test here: they share the module's one SAM translation.
pytestmark = pytest.mark.xdist_group("snapstart-template")

SNAPSTART_FUNCTIONS = {
    # The people who wait: a subject on the public API and its pages, staff on the staff API and
    # the console, a subject whose email becomes a request...
    "IntakeApiFunction",
    "StaffApiFunction",
    "StaffConsoleFunction",
    "EmailIntakeFunction",
    # ...and the subject again, just after submitting: the acknowledgement and the email with
    # the verification code are what they wait for next.
    "AcknowledgeRequestFunction",
    "StartVerificationFunction",
}
ALIAS = "live"
# Where a function may be named unqualified: its own version and alias, and IAM statements
# (checked below to cover the alias's qualified ARN).
OWN_RESOURCE_TYPES = {"AWS::Lambda::Function", "AWS::Lambda::Version", "AWS::Lambda::Alias"}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template(TEMPLATE_PATH)


@pytest.fixture(scope="module")
def translated(template: dict[str, Any]) -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        return sam_transform(template, monkeypatch)


def _references(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, logical id) for each resource a value refers to: Ref, GetAtt, and ${...} in Sub."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from _references(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        if isinstance(value.get("Ref"), str):
            yield path, value["Ref"]
        if isinstance(value.get("Fn::GetAtt"), list):
            yield path, value["Fn::GetAtt"][0]
        substituted = value.get("Fn::Sub")
        text = substituted[0] if isinstance(substituted, list) else substituted
        if isinstance(text, str):
            for term in re.findall(r"\$\{([^}!]+)\}", text):
                yield path, term.split(".", 1)[0]
        for key, item in value.items():
            yield from _references(item, f"{path}.{key}" if path else key)


def test_the_functions_people_wait_for_are_published_with_snapstart(template: dict[str, Any]) -> None:
    functions = {
        name: res["Properties"]
        for name, res in template["Resources"].items()
        if res["Type"] == "AWS::Serverless::Function"
    }

    snapshotted = {name for name, props in functions.items() if "SnapStart" in props}

    assert snapshotted == SNAPSTART_FUNCTIONS
    for name in SNAPSTART_FUNCTIONS:
        assert functions[name]["SnapStart"] == {"ApplyOn": "PublishedVersions"}, name
        assert functions[name].get("AutoPublishAlias") == ALIAS, f"{name} has no alias to snapshot"
        # SnapStart refuses provisioned concurrency, EFS and more than 512 MB of /tmp.
        assert "ProvisionedConcurrencyConfig" not in functions[name], name
        assert "FileSystemConfigs" not in functions[name], name
        assert functions[name].get("EphemeralStorage", {}).get("Size", 512) <= 512, name


def test_every_caller_of_a_snapshotted_function_reaches_its_alias(translated: dict[str, Any]) -> None:
    resources = translated["Resources"]
    aliases = {
        name: res["Properties"] for name, res in resources.items() if res["Type"] == "AWS::Lambda::Alias"
    }
    alias_of = {props["FunctionName"]["Ref"]: name for name, props in aliases.items()}
    assert set(alias_of) == SNAPSTART_FUNCTIONS
    assert {aliases[alias_of[f]]["Name"] for f in SNAPSTART_FUNCTIONS} == {ALIAS}

    unqualified: list[str] = []
    through_alias: dict[str, set[str]] = {function: set() for function in SNAPSTART_FUNCTIONS}
    for name, resource in resources.items():
        if resource["Type"] in OWN_RESOURCE_TYPES or resource["Type"] == "AWS::IAM::Role":
            continue
        for path, target in _references(resource.get("Properties", {})):
            if target in SNAPSTART_FUNCTIONS:
                unqualified.append(f"{name} ({resource['Type']}) {path} -> {target}")
            for function, alias in alias_of.items():
                if target == alias:
                    through_alias[function].add(resource["Type"])

    assert not unqualified, "these invoke $LATEST, which has no snapshot:\n" + "\n".join(unqualified)
    # The API's functions through the API's integrations and their permissions; the mail function
    # through the SES rule and its permission; the workflow tasks through the state machine.
    for function in ("IntakeApiFunction", "StaffApiFunction", "StaffConsoleFunction"):
        assert {"AWS::ApiGateway::RestApi", "AWS::Lambda::Permission"} <= through_alias[function], function
    assert {"AWS::SES::ReceiptRule", "AWS::Lambda::Permission"} <= through_alias["EmailIntakeFunction"]
    for function in ("AcknowledgeRequestFunction", "StartVerificationFunction"):
        assert "AWS::StepFunctions::StateMachine" in through_alias[function], function


def test_the_roles_that_invoke_a_snapshotted_function_may_invoke_its_alias(
    translated: dict[str, Any],
) -> None:
    resources = translated["Resources"]
    too_narrow = []
    for name, resource in resources.items():
        if resource["Type"] != "AWS::IAM::Role":
            continue
        for policy in resource["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                actions = statement.get("Action", [])
                if "lambda:InvokeFunction" not in (actions if isinstance(actions, list) else [actions]):
                    continue
                for _, target in _references(statement.get("Resource")):
                    if target not in SNAPSTART_FUNCTIONS:
                        continue
                    # The ARN must match function:NAME:live as well as function:NAME.
                    arn = statement["Resource"]["Fn::Sub"][0] if "Fn::Sub" in statement["Resource"] else ""
                    if not arn.endswith("*"):
                        too_narrow.append(f"{name}: {statement['Resource']}")

    assert not too_narrow, "these allow the function but not its alias:\n" + "\n".join(too_narrow)
