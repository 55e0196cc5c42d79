"""The local cloud's state machine reads each definition once, and still gives every execution a
program of its own."""

import json

import pytest
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser, ASLParserException

from local_cloud.cloud import _parse_each_definition_once

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
