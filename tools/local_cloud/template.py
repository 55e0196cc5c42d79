"""Reads template.yaml: the resources, the functions and their handlers, the API routes, the
state machine with its substitutions. The local cloud declares nothing of its own."""

from __future__ import annotations

import copy
import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
NAME_PREFIX = "privacy-desk"


class _CloudFormationLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags (!Ref, !GetAtt, !Sub ...)."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CloudFormationLoader.add_multi_constructor("!", _tag)


def load_template(path: Path) -> dict[str, Any]:
    """The template's document, a copy of its own for each caller. A file is parsed once while it
    is unchanged (a quarter of a second; a local cloud reads it at every start, once per test)."""
    written = path.stat()
    return copy.deepcopy(_parsed_template(path.resolve(), written.st_mtime_ns, written.st_size))


@functools.lru_cache(maxsize=8)
def _parsed_template(path: Path, mtime_ns: int, size: int) -> dict[str, Any]:
    del mtime_ns, size  # part of the cache key only: an edited file is parsed again
    # The loader is a SafeLoader that also reads CloudFormation's !tags as plain data.
    document: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=_CloudFormationLoader)  # noqa: S506  # nosec B506
    return document


ANY_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"})


@dataclass(frozen=True)
class ApiRoute:
    method: str
    path: str
    function: str
    authorizer: str | None

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """The path's parameters if this route takes ``method`` on ``path``; an ANY route takes
        the methods API Gateway routes (not TRACE, CONNECT or other methods it refuses itself)."""
        taken = ANY_METHODS if self.method == "ANY" else {self.method}
        if method.upper() not in taken:
            return None
        # API Gateway's REST APIs take a path with a trailing slash as the path without it.
        pattern = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.path)) + "/?$"
        found = re.match(pattern, path)
        return found.groupdict() if found else None


@dataclass
class FunctionSpec:
    logical_id: str
    handler: str
    environment: dict[str, str]
    memory_mb: int
    timeout_seconds: int


@dataclass
class Template:
    path: Path
    document: dict[str, Any]
    parameters: dict[str, str] = field(default_factory=dict)

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return dict(self.document["Resources"])

    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return {name: spec for name, spec in self.resources.items() if spec["Type"] == kind}

    # --- names -----------------------------------------------------------------------------

    def physical_name(self, logical_id: str) -> str:
        kind = self.resources[logical_id]["Type"]
        declared = self.resources[logical_id].get("Properties", {}).get("Name")
        if kind == "AWS::Serverless::StateMachine" and declared is not None:
            # The name the template gives it, as the roles that refer to it by name expect.
            return str(self.resolve(declared, {}))
        if kind == "AWS::S3::Bucket":
            return f"{NAME_PREFIX}-{logical_id.lower()}"
        return f"{NAME_PREFIX}-{logical_id}"

    def arn(self, logical_id: str, refs: dict[str, str] | None = None) -> str:
        kind = self.resources[logical_id]["Type"]
        if kind == "AWS::KMS::Key":
            if refs is None or logical_id not in refs:
                raise KeyError(f"the key {logical_id} has no id until the local cloud creates it")
            return f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/{refs[logical_id]}"
        name = self.physical_name(logical_id)
        arns = {
            "AWS::Serverless::Function": f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}",
            "AWS::Serverless::StateMachine": f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:{name}",
            "AWS::DynamoDB::Table": f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{name}",
            "AWS::S3::Bucket": f"arn:aws:s3:::{name}",
            "AWS::SQS::Queue": f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{name}",
            "AWS::SNS::Topic": f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:{name}",
            "AWS::Logs::LogGroup": f"arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:{name}",
        }
        if kind not in arns:
            raise KeyError(f"the local cloud has no ARN for {logical_id} ({kind})")
        return arns[kind]

    def published_alias(self, logical_id: str) -> str | None:
        """The alias SAM publishes a function's versions behind (``AutoPublishAlias``), if any."""
        props = self.resources[logical_id].get("Properties", {})
        alias = props.get("AutoPublishAlias")
        return str(alias) if alias else None

    def alias_arn(self, logical_id: str) -> str:
        """What ``!Ref Function.Alias`` gives: the function's ARN qualified by its alias."""
        alias = self.published_alias(logical_id)
        if alias is None:
            raise KeyError(f"{logical_id} has no AutoPublishAlias, so no {logical_id}.Alias to refer to")
        return f"{self.arn(logical_id)}:{alias}"

    # --- intrinsic functions ------------------------------------------------------------------

    def resolve(self, value: Any, refs: dict[str, str]) -> Any:
        """Resolve Ref, GetAtt, Sub and Join against parameters and the ``refs`` the cloud created."""
        if isinstance(value, list):
            return [self.resolve(item, refs) for item in value]
        if not isinstance(value, dict):
            return value
        if "Ref" in value:
            return self._ref(value["Ref"], refs)
        if "Fn::GetAtt" in value:
            logical_id, attribute = value["Fn::GetAtt"]
            return self._get_att(logical_id, attribute, refs)
        if "Fn::Sub" in value or "Fn::Join" in value:
            return self._text(value, refs)
        return self._chosen(value, refs)

    def _chosen(self, value: dict[str, Any], refs: dict[str, str]) -> Any:
        """Fn::If's branch for its condition, or a mapping resolved value by value."""
        if "Fn::If" in value:
            condition, when_true, when_false = value["Fn::If"]
            return self.resolve(when_true if self.condition(condition, refs) else when_false, refs)
        return {key: self.resolve(item, refs) for key, item in value.items()}

    def condition(self, name: str, refs: dict[str, str]) -> bool:
        """A condition of the template's Conditions section, with its parameters' values."""
        return self._holds(self.document.get("Conditions", {})[name], refs)

    def _holds(self, expression: dict[str, Any], refs: dict[str, str]) -> bool:
        if "Condition" in expression:
            return self.condition(expression["Condition"], refs)
        if "Fn::Not" in expression:
            return not self._holds(expression["Fn::Not"][0], refs)
        if "Fn::And" in expression:
            return all(self._holds(item, refs) for item in expression["Fn::And"])
        if "Fn::Or" in expression:
            return any(self._holds(item, refs) for item in expression["Fn::Or"])
        if "Fn::Equals" in expression:
            left, right = (self.resolve(item, refs) for item in expression["Fn::Equals"])
            return bool(left == right)
        raise KeyError(f"the local cloud cannot evaluate the condition {expression}")

    def _text(self, value: dict[str, Any], refs: dict[str, str]) -> str:
        if "Fn::Join" in value:
            separator, items = value["Fn::Join"]
            return str(separator).join(str(item) for item in self.resolve(items, refs))
        text, variables = value["Fn::Sub"], {}
        if isinstance(text, list):  # the long form: [text, {name: value}]
            text, variables = text[0], {k: str(self.resolve(v, refs)) for k, v in text[1].items()}
        return re.sub(
            r"\$\{([^}]+)\}",
            lambda m: variables.get(m.group(1)) or self._sub_term(m.group(1), refs),
            text,
        )

    def _ref(self, name: str, refs: dict[str, str]) -> str:
        pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Partition": "aws",
            "AWS::StackName": NAME_PREFIX,
            "AWS::URLSuffix": "amazonaws.com",
        }
        if name in pseudo:
            return pseudo[name]
        if name.endswith(".Alias"):
            return self.alias_arn(name.removesuffix(".Alias"))
        if name in self.parameters:
            return str(self.parameters[name])
        if name in refs:
            return refs[name]
        kind = self.resources[name]["Type"]
        if kind in {"AWS::Serverless::StateMachine", "AWS::SNS::Topic"}:
            return self.arn(name)
        return self.physical_name(name)

    def _get_att(self, logical_id: str, attribute: str, refs: dict[str, str] | None = None) -> str:
        if attribute == "Arn":
            return self.arn(logical_id, refs)
        if attribute in {"Name", "TopicName"}:
            return self.physical_name(logical_id)
        raise KeyError(f"the local cloud cannot resolve {logical_id}.{attribute}")

    def _sub_term(self, term: str, refs: dict[str, str]) -> str:
        if "." in term:
            logical_id, attribute = term.split(".", 1)
            return self._get_att(logical_id, attribute, refs)
        return self._ref(term, refs)

    # --- the application --------------------------------------------------------------------

    def functions(self, refs: dict[str, str]) -> dict[str, FunctionSpec]:
        defaults = self.document.get("Globals", {}).get("Function", {})
        global_env = defaults.get("Environment", {}).get("Variables", {})
        specs = {}
        for logical_id, resource in self.of_type("AWS::Serverless::Function").items():
            props = resource["Properties"]
            env = {**global_env, **props.get("Environment", {}).get("Variables", {})}
            specs[logical_id] = FunctionSpec(
                logical_id=logical_id,
                handler=props["Handler"],
                environment={k: str(self.resolve(v, refs)) for k, v in env.items()},
                memory_mb=int(props.get("MemorySize", defaults.get("MemorySize", 128))),
                timeout_seconds=int(props.get("Timeout", defaults.get("Timeout", 3))),
            )
        return specs

    def api_routes(self) -> list[ApiRoute]:
        routes = []
        for logical_id, resource in self.of_type("AWS::Serverless::Function").items():
            for event in resource["Properties"].get("Events", {}).values():
                if event["Type"] != "Api":
                    continue
                props = event["Properties"]
                routes.append(
                    ApiRoute(
                        method=props["Method"].upper(),
                        path=props["Path"],
                        function=logical_id,
                        authorizer=props.get("Auth", {}).get("Authorizer"),
                    )
                )
        return routes

    def scheduled_functions(self) -> list[str]:
        return [
            logical_id
            for logical_id, resource in self.of_type("AWS::Serverless::Function").items()
            if any(e["Type"] == "Schedule" for e in resource["Properties"].get("Events", {}).values())
        ]

    def execution_event_functions(self) -> list[str]:
        """Functions behind the EventBridge rule on executions that end badly."""
        found = []
        for logical_id, resource in self.of_type("AWS::Serverless::Function").items():
            for event in resource["Properties"].get("Events", {}).values():
                pattern = event.get("Properties", {}).get("Pattern", {})
                if event["Type"] == "EventBridgeRule" and "aws.states" in pattern.get("source", []):
                    found.append(logical_id)
        return found

    def state_machine_definition(self, logical_id: str, refs: dict[str, str]) -> str:
        props = self.resources[logical_id]["Properties"]
        text: str = (self.path.parent / props["DefinitionUri"]).read_text(encoding="utf-8")
        substitutions = {
            name: str(self.resolve(value, refs))
            for name, value in props.get("DefinitionSubstitutions", {}).items()
        }
        missing = sorted(set(re.findall(r"\$\{(\w+)\}", text)) - set(substitutions))
        if missing:
            raise ValueError(f"{props['DefinitionUri']}: no substitution for {', '.join(missing)}")
        for name, value in substitutions.items():
            text = text.replace("${" + name + "}", value)
        json.loads(text)  # the result must be JSON, as it must be for Step Functions
        return text

    def mail_receipt(self) -> tuple[str, str, str]:
        """(bucket logical id, key prefix, function logical id) of the SES receipt rule."""
        for resource in self.of_type("AWS::SES::ReceiptRule").values():
            actions = resource["Properties"]["Rule"]["Actions"]
            s3 = next(a["S3Action"] for a in actions if "S3Action" in a)
            invoke = next(a["LambdaAction"] for a in actions if "LambdaAction" in a)
            target = invoke["FunctionArn"]
            function = target["Fn::GetAtt"][0] if "Fn::GetAtt" in target else target["Ref"]
            return (
                s3["BucketName"]["Ref"],
                s3.get("ObjectKeyPrefix", ""),
                str(function).removesuffix(".Alias"),
            )
        raise LookupError("template.yaml has no SES receipt rule")


def read_template(path: Path, parameters: dict[str, str]) -> Template:
    document = load_template(path)
    values = {
        name: str(spec["Default"])
        for name, spec in document.get("Parameters", {}).items()
        if "Default" in spec
    }
    values.update(parameters)
    missing = sorted(set(document.get("Parameters", {})) - set(values))
    if missing:
        raise ValueError(f"no value for template parameters: {', '.join(missing)}")
    return Template(path=path, document=document, parameters=values)
