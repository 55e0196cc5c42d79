"""The local cloud's state machine reads each definition once, and still gives every execution a
program of its own."""

import json
from typing import Any

import pytest
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser, ASLParserException
from moto.stepfunctions.parser.models import InvalidDefinition, StepFunctionsParserBackend

from local_cloud.cloud import _parse_each_definition_once, _state_machine_lambda_clients
from local_cloud.lambda_bridge import LambdaBridge, StateMachineLambda

DEFINITION = json.dumps(
    {
        "StartAt": "Wait",
        "States": {
            "Wait": {"Type": "Pass", "Result": {"ok": True}, "ResultPath": "$.result", "Next": "Done"},
            "Done": {"Type": "Succeed"},
        },
    }
)


def test_each_execution_gets_its_own_program_from_one_reading_of_the_definition() -> None:
    _parse_each_definition_once()

    first_program, first_tree = AmazonStateLanguageParser.parse(DEFINITION)
    second_program, second_tree = AmazonStateLanguageParser.parse(DEFINITION)

    assert first_tree is second_tree  # read once
    assert first_program is not second_program  # nothing one execution changes reaches another
    assert type(first_program) is type(second_program)


def test_a_definition_with_a_syntax_error_is_refused_every_time() -> None:
    _parse_each_definition_once()
    broken = DEFINITION.replace('"StartAt"', '"StartsAt"')

    for _ in range(2):
        with pytest.raises(ASLParserException):
            AmazonStateLanguageParser.parse(broken)


def test_the_state_machine_invokes_functions_through_the_bridge_and_other_services_by_client() -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils

    _state_machine_lambda_clients.reuse(LambdaBridge({}, {}))
    try:
        reached = lambda_eval_utils.boto_client_for(
            region="us-east-1", service="lambda", state_credentials=None
        )
        other = lambda_eval_utils.boto_client_for(region="us-east-1", service="sqs", state_credentials=None)
        again = lambda_eval_utils.boto_client_for(
            region="us-east-1", service="lambda", state_credentials=None
        )
    finally:
        _state_machine_lambda_clients.forget()

    assert isinstance(reached, StateMachineLambda)
    assert not isinstance(other, StateMachineLambda)
    assert other.meta.service_model.service_name == "sqs"
    assert again is reached  # made once per local cloud


def test_a_definition_is_checked_once_when_accepted_and_every_time_when_refused() -> None:
    _parse_each_definition_once()
    readings: list[str] = []
    parse = AmazonStateLanguageParser.parse
    try:

        def counted(text: str) -> Any:
            readings.append(text)
            return parse(text)

        AmazonStateLanguageParser.parse = staticmethod(counted)  # type: ignore[method-assign]
        valid = DEFINITION.replace('"ok": true', '"checked": true')
        for _ in range(3):
            StepFunctionsParserBackend._validate_definition(valid)
        broken = DEFINITION.replace('"StartAt"', '"StartsAt"')
        for _ in range(2):
            with pytest.raises(InvalidDefinition):
                StepFunctionsParserBackend._validate_definition(broken)
    finally:
        AmazonStateLanguageParser.parse = parse  # type: ignore[method-assign]

    assert readings == [valid, broken, broken]
