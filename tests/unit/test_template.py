"""Static checks over template.yaml, the state machine definitions and the system registry.

Each test is a thin assertion over a helper that returns a list of problems, so a failure names
every offending resource, state or statement at once.
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from cfnlint.api import ManualArgs, lint_file
from samtranslator.translator.arn_generator import ArnGenerator
from samtranslator.translator.transform import transform

from local_cloud.template import load_template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = ROOT / "template.yaml"
STATEMACHINE_DIR = ROOT / "statemachine"
SAMCONFIG_PATH = ROOT / "samconfig.toml"
README_PATH = ROOT / "README.md"
SYSTEMS_PATH = ROOT / "functions" / "dsr" / "config" / "systems.yaml"
REGION = "us-east-1"  # pinned, so neither tool depends on AWS_DEFAULT_REGION in the environment

PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")
SERVICE_WIDE_ACTION = re.compile(r"^(\*|[A-Za-z0-9-]+:\*)$")
ACCOUNT_ROOT = re.compile(r"^arn:(aws|\$\{AWS::Partition\}):iam::(\d{12}|\$\{AWS::AccountId\}):root$")


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template(TEMPLATE_PATH)


@pytest.fixture(scope="module")
def asl_files() -> list[Path]:
    files = sorted(STATEMACHINE_DIR.glob("*.asl.json"))
    assert files, f"no state machine definitions in {STATEMACHINE_DIR}"
    return files


def resources_of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: res for name, res in template["Resources"].items() if res.get("Type") == kind}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- 1. cfn-lint ----------------------------------------------------------------------------


def test_cfn_lint_reports_no_errors() -> None:
    # When cfn-lint checks the template (as `cfn-lint template.yaml` does)
    matches = lint_file(TEMPLATE_PATH, config=ManualArgs(regions=[REGION]))
    # Then none of its findings is an error
    errors = [m for m in matches if m.rule.id.startswith("E")]
    assert not errors, "cfn-lint errors:\n" + "\n".join(str(m) for m in errors)


def test_cfn_lint_with_informational_checks_finds_nothing() -> None:
    # When cfn-lint also runs its informational checks (as `make lint` runs `cfn-lint -c I`)
    matches = lint_file(TEMPLATE_PATH, config=ManualArgs(regions=[REGION], include_checks=["I"]))
    # Then it has nothing to say: each rule the project does not follow is ignored in .cfnlintrc,
    # with the reason beside it
    assert not matches, "cfn-lint findings:\n" + "\n".join(str(m) for m in matches)


# --- 2. SAM transform -----------------------------------------------------------------------


class StubPolicyLoader:
    """Stands in for ManagedPolicyLoader so the transform never calls IAM."""

    def load(self) -> dict[str, str]:
        return {
            "AWSLambdaBasicExecutionRole": (
                "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
            ),
            "AWSXrayWriteOnlyAccess": "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
        }


def as_packaged(template: dict[str, Any]) -> dict[str, Any]:
    """A copy with local code and definition paths replaced by S3 URIs, as `sam package` does."""
    packaged = copy.deepcopy(template)
    function_globals = packaged.get("Globals", {}).get("Function", {})
    if isinstance(function_globals.get("CodeUri"), str):
        function_globals["CodeUri"] = "s3://artifacts/functions.zip"
    for name, res in packaged["Resources"].items():
        props = res.get("Properties", {})
        if res["Type"] == "AWS::Serverless::Function" and isinstance(props.get("CodeUri"), str):
            props["CodeUri"] = f"s3://artifacts/{name}.zip"
        if res["Type"] == "AWS::Serverless::StateMachine" and isinstance(props.get("DefinitionUri"), str):
            props["DefinitionUri"] = f"s3://artifacts/{name}.asl.json"
        if res["Type"] == "AWS::Serverless::LayerVersion" and isinstance(props.get("ContentUri"), str):
            props["ContentUri"] = f"s3://artifacts/{name}.zip"
    return packaged


def sam_transform(template: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    # The translator needs a region for ARNs and pseudo parameters; it never calls AWS here.
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setattr(ArnGenerator, "BOTO_SESSION_REGION_NAME", REGION)
    return transform(as_packaged(template), {}, StubPolicyLoader())  # type: ignore[arg-type]


def test_sam_transform_produces_the_workflow_functions_and_api(
    template: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # When the SAM translator turns the (packaged) template into CloudFormation
    output = sam_transform(template, monkeypatch)
    # Then the state machine, one Lambda function per SAM function and the REST API exist
    kinds = {name: res["Type"] for name, res in output["Resources"].items()}
    for kind in ("AWS::StepFunctions::StateMachine", "AWS::ApiGateway::RestApi"):
        assert kind in kinds.values(), f"the transformed template has no {kind}"
    sam_functions = set(resources_of_type(template, "AWS::Serverless::Function"))
    plain_functions = set(resources_of_type(template, "AWS::Lambda::Function"))
    lambda_functions = {name for name, kind in kinds.items() if kind == "AWS::Lambda::Function"}
    assert sam_functions, "the template declares no AWS::Serverless::Function"
    assert lambda_functions == sam_functions | plain_functions, (
        f"missing: {sorted(sam_functions - lambda_functions)}, "
        f"unexpected: {sorted(lambda_functions - sam_functions - plain_functions)}"
    )
    leftovers = sorted(name for name, kind in kinds.items() if kind.startswith("AWS::Serverless::"))
    assert not leftovers, f"untransformed SAM resources: {leftovers}"


# --- 3-5. state machine definitions ---------------------------------------------------------


def state_machine_for(template: dict[str, Any], asl_file: Path) -> tuple[str, dict[str, Any]] | None:
    for name, res in resources_of_type(template, "AWS::Serverless::StateMachine").items():
        uri = res.get("Properties", {}).get("DefinitionUri")
        if isinstance(uri, str) and (TEMPLATE_PATH.parent / uri).resolve() == asl_file.resolve():
            return name, res["Properties"]
    return None


def substitution_problems(asl_text: str, substitutions: dict[str, Any]) -> list[str]:
    used = set(PLACEHOLDER.findall(asl_text))
    declared = set(substitutions)
    return [f"${{{name}}} has no DefinitionSubstitutions entry" for name in sorted(used - declared)] + [
        f"substitution {name} is never used" for name in sorted(declared - used)
    ]


def test_every_placeholder_has_a_substitution_and_every_substitution_is_used(
    template: dict[str, Any], asl_files: list[Path]
) -> None:
    problems = []
    for asl_file in asl_files:
        # Given the state machine whose DefinitionUri is this file
        found = state_machine_for(template, asl_file)
        if found is None:
            problems.append(f"{asl_file.name}: no AWS::Serverless::StateMachine uses it")
            continue
        name, props = found
        # Then its placeholders and DefinitionSubstitutions match one to one
        problems += [
            f"{asl_file.name} ({name}): {problem}"
            for problem in substitution_problems(
                asl_file.read_text(encoding="utf-8"), props.get("DefinitionSubstitutions", {})
            )
        ]
    assert not problems, "\n".join(problems)


def walk_states(states: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every state, including those inside Map (ItemProcessor/Iterator) and Parallel branches."""
    for name, state in states.items():
        path = f"{prefix}{name}"
        yield path, state
        for key in ("ItemProcessor", "Iterator"):
            if key in state:
                yield from walk_states(state[key].get("States", {}), f"{path} > ")
        for index, branch in enumerate(state.get("Branches", [])):
            yield from walk_states(branch.get("States", {}), f"{path}[{index}] > ")


def catch_errors(state: dict[str, Any]) -> list[list[str]]:
    return [list(catcher.get("ErrorEquals", [])) for catcher in state.get("Catch", [])]


def task_error_handling_problems(definition: dict[str, Any]) -> list[str]:
    problems = []
    for path, state in walk_states(definition["States"]):
        if state.get("Type") != "Task":
            continue
        if not state.get("Retry"):
            problems.append(f"{path}: no Retry")
        retried = {error for retrier in state.get("Retry", []) for error in retrier.get("ErrorEquals", [])}
        if "AwsServiceBusy" not in retried:
            problems.append(f"{path}: a throttled or failing AWS call (AwsServiceBusy) is not retried")
        if not any("States.ALL" in errors for errors in catch_errors(state)):
            problems.append(f'{path}: no Catch for "States.ALL"')
    return problems


def test_every_task_retries_and_catches_all_errors(asl_files: list[Path]) -> None:
    problems = []
    for asl_file in asl_files:
        definition = json.loads(asl_file.read_text(encoding="utf-8"))
        problems += [f"{asl_file.name}: {p}" for p in task_error_handling_problems(definition)]
    assert not problems, "\n".join(problems)


def task_token_wait_problems(definition: dict[str, Any]) -> list[str]:
    problems = []
    for path, state in walk_states(definition["States"]):
        if state.get("Type") != "Task" or not str(state.get("Resource", "")).endswith(".waitForTaskToken"):
            continue
        if "TimeoutSeconds" not in state and "TimeoutSecondsPath" not in state:
            problems.append(f"{path}: waits for a task token with no TimeoutSeconds(Path)")
        errors = catch_errors(state)
        timeout_at = next((i for i, e in enumerate(errors) if "States.Timeout" in e), None)
        catch_all_at = next((i for i, e in enumerate(errors) if "States.ALL" in e), len(errors))
        if timeout_at is None:
            problems.append(f'{path}: no Catch names "States.Timeout"')
        elif timeout_at > catch_all_at:
            problems.append(f'{path}: the "States.Timeout" Catch comes after "States.ALL"')
    return problems


def test_every_task_token_wait_has_a_timeout_and_catches_it(asl_files: list[Path]) -> None:
    problems = []
    for asl_file in asl_files:
        definition = json.loads(asl_file.read_text(encoding="utf-8"))
        problems += [f"{asl_file.name}: {p}" for p in task_token_wait_problems(definition)]
    assert not problems, "\n".join(problems)


# --- 6. system registry vs RunSystemTaskFunction --------------------------------------------


def policy_template_names(policies: list[Any], policy_template: str, parameter: str) -> set[str]:
    """The literal names given to a SAM policy template (a !Ref to a stack resource is no store)."""
    found = set()
    for policy in policies:
        value = policy.get(policy_template, {}).get(parameter) if isinstance(policy, dict) else None
        if isinstance(value, str):
            found.add(value)
    return found


def system_store_problems(systems: list[dict[str, Any]], function: dict[str, Any]) -> list[str]:
    policies = as_list(function.get("Properties", {}).get("Policies", []))
    tables = policy_template_names(policies, "DynamoDBCrudPolicy", "TableName")
    buckets = policy_template_names(policies, "S3CrudPolicy", "BucketName")
    problems = []
    for system in systems:
        store = system.get("store", {})
        kind = store.get("kind")
        if kind == "dynamodb":
            if store.get("table") not in tables:
                problems.append(f"{system['id']}: no DynamoDBCrudPolicy for table {store.get('table')!r}")
        elif kind in ("s3_jsonl", "s3_csv", "s3_objects"):
            if store.get("bucket") not in buckets:
                problems.append(f"{system['id']}: no S3CrudPolicy for bucket {store.get('bucket')!r}")
        elif kind == "saas":
            problems += saas_tool_problems(system["id"], store["tool"], function)
        elif kind in ("postgresql", "mysql"):
            problems += database_secret_problems(system["id"], store["secret_arn_env"], function)
        elif kind in HAND_OFF_KINDS:
            continue  # asked over HTTP or by email; see test_hand_off_function_may_read_the_customers
        elif kind == "s3_parquet":
            continue  # RunDataLakeTaskFunction's; see test_the_data_lake_function_may_use_the_lakes_alone
        else:
            problems.append(f"{system['id']}: unknown store kind {kind!r}")
    return problems


def saas_tool_problems(system_id: str, tool: str, function: dict[str, Any]) -> list[str]:
    """A SaaS system needs its definition's variables in the function's environment, and its
    secret under the prefix the function may read."""
    from dsr.core.saas_definitions import load_definition

    definition = load_definition(tool)
    variables = function["Properties"].get("Environment", {}).get("Variables", {})
    problems = [
        f"{system_id}: RunSystemTaskFunction's environment has no {name} ({tool}.yaml)"
        for name in [definition.base_url_env, *definition.settings.values()]
        if name and name not in variables
    ]
    template = load_template(TEMPLATE_PATH)
    prefix = template["Parameters"]["SaasSecretPrefix"]["Default"]
    if not definition.auth.secret.startswith(prefix):
        problems.append(
            f"{system_id}: secret {definition.auth.secret} is not under SaasSecretPrefix {prefix}"
        )
    statements = [
        statement
        for policy in as_list(function["Properties"].get("Policies", []))
        if isinstance(policy, dict)
        for statement in policy.get("Statement", [])
        if "secretsmanager:GetSecretValue" in as_list(statement.get("Action", []))
    ]
    resources = [str(statement.get("Resource")) for statement in statements]
    if not any(":secret:${SaasSecretPrefix}*" in resource for resource in resources):
        problems.append(f"{system_id}: RunSystemTaskFunction may not read the secrets under SaasSecretPrefix")
    return problems


def database_secret_problems(system_id: str, variable: str, function: dict[str, Any]) -> list[str]:
    """The function's environment gives the secret's ARN from a parameter, and its role may read
    that secret (and, by the same statement, no other)."""
    properties = function.get("Properties", {})
    reference = properties.get("Environment", {}).get("Variables", {}).get(variable)
    if not (isinstance(reference, dict) and "Ref" in reference):
        return [f"{system_id}: RunSystemTaskFunction sets no {variable} from a template parameter"]
    reads = [
        statement
        for _, statement in policy_statements(properties.get("Policies", []), "Policies")
        if "secretsmanager:GetSecretValue" in as_list(statement.get("Action"))
    ]
    if not any(_reads(statement, reference) for statement in reads):
        return [f"{system_id}: no secretsmanager:GetSecretValue on the secret {reference['Ref']} names"]
    return []


def _reads(statement: dict[str, Any], reference: dict[str, str]) -> bool:
    resource = statement.get("Resource")
    if isinstance(resource, dict) and "Fn::If" in resource:
        return reference in resource["Fn::If"][1:]
    return resource == reference


def test_run_system_task_function_may_use_every_registered_store(template: dict[str, Any]) -> None:
    # Given every system in the registry
    systems = yaml.safe_load(SYSTEMS_PATH.read_text(encoding="utf-8"))["systems"]
    assert systems, f"{SYSTEMS_PATH} lists no systems"
    # Then RunSystemTaskFunction holds a CRUD policy on its table or bucket
    function = template["Resources"]["RunSystemTaskFunction"]
    problems = system_store_problems(systems, function)
    assert not problems, "\n".join(problems)


def test_a_mysql_system_needs_its_secret_granted_as_a_postgresql_one_does(template: dict[str, Any]) -> None:
    function = template["Resources"]["RunSystemTaskFunction"]
    granted = {"id": "shop-db", "store": {"kind": "mysql", "secret_arn_env": "CRM_DATABASE_SECRET_ARN"}}
    ungranted = {"id": "shop-db", "store": {"kind": "mysql", "secret_arn_env": "SHOP_DATABASE_SECRET_ARN"}}

    assert system_store_problems([granted], function) == []
    assert system_store_problems([ungranted], function) == [
        "shop-db: RunSystemTaskFunction sets no SHOP_DATABASE_SECRET_ARN from a template parameter"
    ]


HAND_OFF_KINDS = ("opendsr", "vendor_email", "customer_controllers", "system_owner")


def test_the_data_lake_function_may_use_the_lakes_alone(template: dict[str, Any]) -> None:
    systems = yaml.safe_load(SYSTEMS_PATH.read_text(encoding="utf-8"))["systems"]
    lakes = {s["store"]["bucket"] for s in systems if s["store"]["kind"] == "s3_parquet"}
    assert lakes, "the registry has a data lake"
    policies = as_list(template["Resources"]["RunDataLakeTaskFunction"]["Properties"]["Policies"])
    # Its role reaches the lakes' buckets (and the requests table and packages, by !Ref), no other store
    assert policy_template_names(policies, "S3CrudPolicy", "BucketName") == lakes
    assert policy_template_names(policies, "DynamoDBCrudPolicy", "TableName") == set()
    other_buckets = policy_template_names(
        as_list(template["Resources"]["RunSystemTaskFunction"]["Properties"]["Policies"]),
        "S3CrudPolicy",
        "BucketName",
    )
    assert not lakes & other_buckets, "the function without pyarrow needs no lake"


def test_planning_may_read_the_systems_that_resolve_account_ids(template: dict[str, Any]) -> None:
    systems = yaml.safe_load(SYSTEMS_PATH.read_text(encoding="utf-8"))["systems"]
    providers = {s["store"]["table"] for s in systems if s.get("provides")}
    assert providers, "the registry resolves account ids somewhere"
    policies = as_list(template["Resources"]["PlanSystemsFunction"]["Properties"]["Policies"])
    assert providers <= policy_template_names(policies, "DynamoDBReadPolicy", "TableName")


def test_hand_off_function_may_read_the_customers_who_hold_a_contact(template: dict[str, Any]) -> None:
    systems = yaml.safe_load(SYSTEMS_PATH.read_text(encoding="utf-8"))["systems"]
    routes = [s["store"] for s in systems if s["store"]["kind"] == "customer_controllers"]
    assert routes, "the registry routes CRM contacts to the customers"
    policies = as_list(template["Resources"]["HandOffSystemTaskFunction"]["Properties"]["Policies"])
    readable = policy_template_names(policies, "DynamoDBReadPolicy", "TableName")
    for route in routes:
        assert {route["contacts_table"], route["customers_table"]} <= readable


# --- 7. IAM wildcards -----------------------------------------------------------------------


def policy_statements(node: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every statement of every policy document (a mapping with a Statement) under ``node``."""
    if isinstance(node, dict):
        if "Statement" in node:
            for index, statement in enumerate(as_list(node["Statement"])):
                yield f"{path}.Statement[{index}]", statement
        for key, value in node.items():
            if key != "Statement":
                yield from policy_statements(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from policy_statements(item, f"{path}[{index}]")


def is_account_root(principal: Any) -> bool:
    """Principal {AWS: <this account's root>}, as an ARN string or a !Sub of one."""
    aws = principal.get("AWS") if isinstance(principal, dict) else None
    if isinstance(aws, dict):
        aws = aws.get("Fn::Sub")
    return isinstance(aws, str) and ACCOUNT_ROOT.match(aws) is not None


def wildcard_problems(template: dict[str, Any]) -> list[str]:
    problems = []
    for name, res in template["Resources"].items():
        for path, statement in policy_statements(res.get("Properties", {}), name):
            if statement.get("Effect") != "Allow":
                continue
            if "NotAction" in statement:
                problems.append(f"{path}: Allow with NotAction")
            wide = [a for a in as_list(statement.get("Action", [])) if SERVICE_WIDE_ACTION.match(str(a))]
            # The exception: a KMS key policy that lets the account root administer the key.
            key_admin = (
                res["Type"] == "AWS::KMS::Key"
                and path.startswith(f"{name}.KeyPolicy.")
                and is_account_root(statement.get("Principal"))
            )
            if wide and not key_admin:
                problems.append(f"{path}: Allow {wide}")
    return problems


def test_no_allow_statement_grants_a_wildcard_action(template: dict[str, Any]) -> None:
    # Given every policy statement in the template (function and state machine policies included)
    serverless = resources_of_type(template, "AWS::Serverless::Function") | resources_of_type(
        template, "AWS::Serverless::StateMachine"
    )
    assert any(True for res in serverless.values() for _ in policy_statements(res["Properties"], "")), (
        "found no inline policy statements to check"
    )
    # Then no Allow names "*" or "service:*", but for the account root on a KMS key
    problems = wildcard_problems(template)
    assert not problems, "\n".join(problems)


# --- 8. encryption, public access, retention ------------------------------------------------


def is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def storage_problems(template: dict[str, Any]) -> list[str]:
    problems = []
    for name, res in resources_of_type(template, "AWS::DynamoDB::Table").items():
        if not is_true(res.get("Properties", {}).get("SSESpecification", {}).get("SSEEnabled")):
            problems.append(f"{name}: SSESpecification.SSEEnabled is not true")
    flags = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
    for name, res in resources_of_type(template, "AWS::S3::Bucket").items():
        props = res.get("Properties", {})
        if not props.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration"):
            problems.append(f"{name}: no BucketEncryption")
        block = props.get("PublicAccessBlockConfiguration", {})
        problems += [f"{name}: {flag} is not true" for flag in flags if not is_true(block.get(flag))]
    for name, res in resources_of_type(template, "AWS::Logs::LogGroup").items():
        if "RetentionInDays" not in res.get("Properties", {}):
            problems.append(f"{name}: no RetentionInDays")
    return problems


def test_tables_and_buckets_are_encrypted_buckets_private_and_logs_expire(template: dict[str, Any]) -> None:
    problems = storage_problems(template)
    assert not problems, "\n".join(problems)


# --- 9. locked down: resource wildcards, keys, TLS, throttling, records ---------------------------

# The only Allow statements on every resource ("*"), and why nothing narrower is possible.
RESOURCE_WILDCARDS = {
    ("RequestWorkflow", "logs:CreateLogDelivery"): "Step Functions log delivery is account-wide",
    ("RequestWorkflow", "logs:GetLogDelivery"): "Step Functions log delivery is account-wide",
    ("RequestWorkflow", "logs:UpdateLogDelivery"): "Step Functions log delivery is account-wide",
    ("RequestWorkflow", "logs:DeleteLogDelivery"): "Step Functions log delivery is account-wide",
    ("RequestWorkflow", "logs:ListLogDeliveries"): "a list action takes no resource",
    ("RequestWorkflow", "logs:PutResourcePolicy"): "log resource policies are account-wide",
    ("RequestWorkflow", "logs:DescribeResourcePolicies"): "a describe action takes no resource",
    ("RequestWorkflow", "logs:DescribeLogGroups"): "a describe action takes no resource",
}


def resource_wildcards(template: dict[str, Any]) -> set[tuple[str, str]]:
    """(resource, action) of every Allow on Resource "*", key policies aside (there "*" is the key)."""
    found = set()
    for name, res in template["Resources"].items():
        if res["Type"] == "AWS::KMS::Key":
            continue
        for _, statement in policy_statements(res.get("Properties", {}), name):
            if statement.get("Effect") == "Allow" and "*" in as_list(statement.get("Resource")):
                found |= {(name, str(action)) for action in as_list(statement.get("Action"))}
    return found


def test_resource_wildcards_only_where_the_service_allows_nothing_narrower(template: dict[str, Any]) -> None:
    assert resource_wildcards(template) == set(RESOURCE_WILDCARDS)


def test_personal_data_at_rest_is_under_the_desks_own_key(template: dict[str, Any]) -> None:
    problems = []
    for name, res in resources_of_type(template, "AWS::DynamoDB::Table").items():
        sse = res["Properties"].get("SSESpecification", {})
        if sse.get("SSEType") != "KMS" or sse.get("KMSMasterKeyId") != {"Ref": "DataKey"}:
            problems.append(f"{name}: not encrypted with DataKey")
    for name, res in resources_of_type(template, "AWS::S3::Bucket").items():
        rules = res["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        default = rules[0]["ServerSideEncryptionByDefault"]
        if default.get("SSEAlgorithm") != "aws:kms" or default.get("KMSMasterKeyID") != {"Ref": "DataKey"}:
            problems.append(f"{name}: not encrypted with DataKey")
    for kind in ("AWS::SQS::Queue", "AWS::SNS::Topic"):
        for name, res in resources_of_type(template, kind).items():
            if res["Properties"].get("KmsMasterKeyId") != {"Ref": "DataKey"}:
                problems.append(f"{name}: not encrypted with DataKey")
    for name, res in resources_of_type(template, "AWS::KMS::Key").items():
        # KMS rotates encryption keys; an HMAC key cannot be rotated (and keyed hashes made with
        # it, such as the suppression list's, must stay comparable), so it is exempt.
        encrypts = res["Properties"].get("KeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT"
        if encrypts and not is_true(res["Properties"].get("EnableKeyRotation")):
            problems.append(f"{name}: key rotation is off")
    assert not problems, "\n".join(problems)


def test_every_bucket_refuses_plain_http(template: dict[str, Any]) -> None:
    buckets = set(resources_of_type(template, "AWS::S3::Bucket"))
    refusing = set()
    for res in resources_of_type(template, "AWS::S3::BucketPolicy").values():
        for statement in res["Properties"]["PolicyDocument"]["Statement"]:
            insecure = statement.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport")
            if (
                statement.get("Effect") == "Deny"
                and insecure == "false"
                and statement.get("Action") == "s3:*"
            ):
                refusing.add(res["Properties"]["Bucket"]["Ref"])
    assert refusing == buckets


def test_the_api_is_throttled(template: dict[str, Any]) -> None:
    settings = template["Resources"]["PrivacyApi"]["Properties"]["MethodSettings"]
    everything = next(s for s in settings if s["ResourcePath"] == "/*" and s["HttpMethod"] == "*")
    assert 0 < everything["ThrottlingRateLimit"] <= 100
    assert 0 < everything["ThrottlingBurstLimit"] <= 200
    firewall = template["Resources"]["PrivacyApiFirewall"]["Properties"]["Rules"]
    assert any("RateBasedStatement" in rule["Statement"] for rule in firewall)


def test_the_requests_table_survives_mistakes(template: dict[str, Any]) -> None:
    table = template["Resources"]["RequestsTable"]
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"
    assert is_true(table["Properties"]["DeletionProtectionEnabled"])
    assert is_true(table["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"])
    for name in ("InboundMailBucket", "AccessPackagesBucket"):
        assert template["Resources"][name]["DeletionPolicy"] == "Retain", name


def test_keys_and_staff_accounts_outlive_the_stack_with_the_data_they_protect(
    template: dict[str, Any],
) -> None:
    # A `sam delete` keeps the tables and buckets; the keys that encrypt them and the staff
    # accounts (with their groups) who may read them stay too, or the data could not be read.
    kept = [
        name
        for name, res in template["Resources"].items()
        if res["Type"] in {"AWS::KMS::Key", "AWS::Cognito::UserPool", "AWS::Cognito::UserPoolGroup"}
    ]
    assert {"DataKey", "IdentityHashKey", "StaffUserPool"} <= set(kept)
    deleted = [
        f"{name}: {res.get('DeletionPolicy')} on delete, {res.get('UpdateReplacePolicy')} on replace"
        for name in kept
        if (res := template["Resources"][name]).get("DeletionPolicy") != "Retain"
        or res.get("UpdateReplacePolicy") != "Retain"
    ]
    assert not deleted, "deleted with the stack: " + "; ".join(deleted)


def test_no_function_behind_the_api_runs_past_api_gateways_29_seconds(template: dict[str, Any]) -> None:
    default = template["Globals"]["Function"].get("Timeout", 3)
    behind_the_api = {
        name: res["Properties"].get("Timeout", default)
        for name, res in resources_of_type(template, "AWS::Serverless::Function").items()
        if any(event["Type"] in {"Api", "HttpApi"} for event in res["Properties"].get("Events", {}).values())
    }
    assert behind_the_api, "no function has an Api event"
    # API Gateway ends the integration at 29 s; a function still running then has lost its caller.
    too_long = {name: timeout for name, timeout in behind_the_api.items() if timeout > 29}
    assert not too_long, f"Timeout over 29 s behind API Gateway: {too_long}"


def evaluate(value: Any, template: dict[str, Any], parameters: dict[str, str], stack_id: str) -> Any:
    """The value CloudFormation gives an expression of Ref, Sub, Select, Split, If, Not and Equals."""
    refs = {**parameters, "AWS::StackId": stack_id}

    def sub(argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        scope = {**refs, **{name: ev(variable) for name, variable in variables.items()}}
        return PLACEHOLDER.sub(lambda m: str(scope[m.group(1)]), text)

    def if_(argument: list[Any]) -> Any:
        condition, if_true, if_false = argument
        return ev(if_true if ev(template["Conditions"][condition]) else if_false)

    functions = {
        "Ref": lambda name: refs[name],
        "Fn::Sub": sub,
        "Fn::Select": lambda arg: ev(arg[1])[int(arg[0])],
        "Fn::Split": lambda arg: ev(arg[1]).split(arg[0]),
        "Fn::If": if_,
        "Fn::Not": lambda arg: not ev(arg[0]),
        "Fn::Equals": lambda arg: ev(arg[0]) == ev(arg[1]),
    }

    def ev(node: Any) -> Any:
        if not isinstance(node, dict):
            return node
        ((function, argument),) = node.items()
        return functions[function](argument)

    return ev(value)


def test_staff_sign_in_domain_is_unique_to_each_stack_unless_one_is_named(template: dict[str, Any]) -> None:
    parameter = template["Parameters"]["StaffSignInDomainPrefix"]
    domain = template["Resources"]["StaffSignInDomain"]["Properties"]["Domain"]
    stacks = [
        "arn:aws:cloudformation:eu-west-1:111122223333:stack/privacy-desk/1c2fa620-982a-11e3-aff7-50e2416294e0",
        "arn:aws:cloudformation:eu-west-1:111122223333:stack/Privacy-Desk-Test/9b3c5d70-1f2e-11ef-8a1b-0a2b3c4d5e6f",
        "arn:aws:cloudformation:eu-west-1:444455556666:stack/privacy-desk/2d4e6f80-0a1b-11ef-9c8d-1a2b3c4d5e6f",
    ]
    # Given the default (empty) parameter, each stack gets its own prefix that Cognito accepts
    prefixes = [
        evaluate(domain, template, {"StaffSignInDomainPrefix": parameter["Default"]}, s) for s in stacks
    ]
    assert len(set(prefixes)) == len(stacks), prefixes
    for prefix in prefixes:
        assert re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", prefix), prefix
        assert not re.search("aws|amazon|cognito", prefix), f"{prefix} has a word Cognito reserves"
    # Given a prefix, it is used as it is
    named = evaluate(domain, template, {"StaffSignInDomainPrefix": "acme-privacy-staff"}, stacks[0])
    assert named == "acme-privacy-staff"
    # And the parameter refuses what Cognito would refuse, before anything is created
    allowed = re.compile(parameter["AllowedPattern"])
    for refused in ("my-aws-desk", "amazon-privacy", "desk-cognito", "Privacy-Desk", "-desk", "a" * 64):
        assert not allowed.fullmatch(refused), refused
    for accepted in ("", "acme-privacy-staff", "desk1"):
        assert allowed.fullmatch(accepted), accepted


def test_sam_deploy_asks_before_changing_and_refuses_placeholder_parameters(
    template: dict[str, Any],
) -> None:
    config = tomllib.loads(SAMCONFIG_PATH.read_text())
    deploy = config["default"]["deploy"]["parameters"]
    # The change set is shown and confirmed; a deploy with no change is not a failure
    assert deploy["confirm_changeset"] is True
    assert deploy["fail_on_empty_changeset"] is False
    assert deploy["capabilities"] == "CAPABILITY_IAM"
    assert deploy["resolve_s3"] is True
    assert config["default"]["global"]["parameters"]["stack_name"]
    # The region is the reader's choice (flag, environment or profile), never a silent default
    assert "region" not in deploy and "region" not in config["default"]["global"]["parameters"]
    # Every parameter without a default has a placeholder, and each placeholder is refused by
    # CloudFormation's own check, so a forgotten one stops the deploy before anything changes
    overrides = dict(pair.split("=", 1) for pair in deploy["parameter_overrides"].split())
    parameters = template["Parameters"]
    required = {name for name, spec in parameters.items() if "Default" not in spec}
    assert set(overrides) == required
    accepted = {
        name: value
        for name, value in overrides.items()
        if re.fullmatch(parameters[name]["AllowedPattern"], value)
    }
    assert not accepted, f"placeholders a deploy would accept: {accepted}"
    assert all(parameters[name].get("ConstraintDescription") for name in required)


def test_the_readme_deploy_steps_name_real_outputs_and_every_required_parameter(
    template: dict[str, Any],
) -> None:
    readme = README_PATH.read_text()
    deploy = readme.split("\n## Deploy\n", 1)[1].split("\n## ", 1)[0]
    # Each <Name> a step reads off the stack or its parameters (CamelCase; <ALL_CAPS> are the
    # reader's own values) is one template.yaml has
    named = set(re.findall(r"<([A-Z][a-z]+(?:[A-Z][a-z]*)+)>", deploy))
    assert named & set(template["Outputs"]), "the Deploy section names no stack output"
    missing = sorted(named - set(template["Outputs"]) - set(template["Parameters"]))
    assert not missing, f"README names outputs or parameters template.yaml does not have: {missing}"
    # And every parameter a deploy must be given is explained there
    required = [name for name, spec in template["Parameters"].items() if "Default" not in spec]
    unexplained = [name for name in required if f"`{name}`" not in deploy]
    assert not unexplained, f"parameters the Deploy section does not mention: {unexplained}"


def test_staff_sign_in_is_the_code_flow_with_pkce_on_the_user_pool(template: dict[str, Any]) -> None:
    client = template["Resources"]["StaffUserPoolClient"]["Properties"]
    # A public client (the console keeps no secret) offered the authorization code flow only:
    # never the implicit flow, which hands the token over in the address bar.
    assert client["AllowedOAuthFlows"] == ["code"]
    assert client["GenerateSecret"] is False
    console = template["Resources"]["StaffConsoleFunction"]["Properties"]["Environment"]["Variables"]
    endpoints = {
        name: console[name]["Fn::Sub"] for name in console if name.endswith(("AUTHORIZE_URL", "TOKEN_URL"))
    }
    domain = "https://${StaffSignInDomain}.auth.${AWS::Region}.amazoncognito.com"
    assert endpoints == {
        "STAFF_SIGN_IN_AUTHORIZE_URL": f"{domain}/oauth2/authorize",
        "STAFF_SIGN_IN_TOKEN_URL": f"{domain}/oauth2/token",
    }
    assert console["STAFF_SIGN_IN_CLIENT_ID"] == {"Ref": "StaffUserPoolClient"}
    assert client["CallbackURLs"] == [console["STAFF_SIGN_IN_REDIRECT_URI"]]
    # Signing out ends the session on the hosted page too, and comes back to the console.
    assert console["STAFF_SIGN_OUT_URL"] == {"Fn::Sub": f"{domain}/logout"}
    assert client["LogoutURLs"] == [console["STAFF_SIGN_IN_REDIRECT_URI"]]
    assert set(client["AllowedOAuthScopes"]) == {"openid", "email"}


def test_api_gateways_own_answers_carry_the_security_headers(template: dict[str, Any]) -> None:
    from dsr.web.response_headers import GATEWAY_HEADERS

    responses = template["Resources"]["PrivacyApi"]["Properties"]["GatewayResponses"]

    for kind in ("DEFAULT_4XX", "DEFAULT_5XX"):
        headers = responses[kind]["ResponseParameters"]["Headers"]
        assert headers == {name: f"'{value}'" for name, value in GATEWAY_HEADERS.items()}, kind
