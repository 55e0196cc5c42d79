"""The SaaS stand-ins as the local cloud runs them: one per tool that has both a definition
(functions/dsr/config/saas/<tool>.yaml) and a stand-in module here, each on its own loopback port.

How a function reaches one: template.yaml gives RunSystemTaskFunction an environment variable per
tool, the definition's ``base_url_env``, set from a template parameter (``STRIPE_API_URL:
!Ref StripeApiUrl``). ``stand_in_parameters`` finds that parameter for each stand-in, and the
local cloud sets it to the stand-in's URL, as a deployment sets it to the vendor's (or a
sandbox's). ``create_secrets`` makes each definition's Secrets Manager secret in moto, holding the
stand-in's demonstration credentials: the function reads it under its own role, which allows only
the template's SaasSecretPrefix.
"""

from __future__ import annotations

import json
import pkgutil
import threading
from typing import Any

import boto3

from dsr.core.saas_definitions import SAAS_DEFINITIONS_DIR, load_definition
from local_cloud import saas_standins
from local_cloud.demo_data import PEOPLE
from local_cloud.saas_standins import SaasStandIn, vendor_stand_in


def tools_with_stand_ins() -> list[str]:
    modules = {info.name for info in pkgutil.iter_modules(saas_standins.__path__)}
    return sorted(path.stem for path in SAAS_DEFINITIONS_DIR.glob("*.yaml") if path.stem in modules)


def start_stand_ins() -> dict[str, SaasStandIn]:
    """Every tool's stand-in, started, holding the demonstration people's records."""
    return {tool: SaasStandIn(vendor_stand_in(tool, PEOPLE)).start() for tool in tools_with_stand_ins()}


def stand_in_environment(stand_in: SaasStandIn) -> dict[str, str]:
    """The variables that point a function at the stand-in: the definition's ``base_url_env`` set
    to the stand-in's URL, and its settings (Mailchimp's data centre...) to the stand-in's account's."""
    definition = load_definition(stand_in.tool)
    environment = {str(definition.base_url_env): stand_in.base_url}
    return environment | {
        definition.settings[name]: value for name, value in stand_in.vendor.settings.items()
    }


def stand_in_parameters(template: dict[str, Any], stand_ins: dict[str, SaasStandIn]) -> dict[str, str]:
    """The template parameters that carry each tool's base URL and settings into the functions,
    set to the stand-ins' URLs and demonstration settings (the stand-in's ``settings``, such as
    Mailchimp's list id): found from the variables (a definition's base_url_env and settings)
    that !Ref them."""
    variables = {
        name: value["Ref"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::Serverless::Function"
        for name, value in resource["Properties"].get("Environment", {}).get("Variables", {}).items()
        if isinstance(value, dict) and "Ref" in value
    }
    parameters = {}
    for stand_in in stand_ins.values():
        for variable, value in stand_in_environment(stand_in).items():
            if variable in variables:
                parameters[variables[variable]] = value
    return parameters


def create_secrets(stand_ins: dict[str, SaasStandIn]) -> None:
    """Each definition's secret, holding its stand-in's credentials (moto must be running)."""
    secrets = boto3.client("secretsmanager")
    for tool, stand_in in stand_ins.items():
        name = load_definition(tool).auth.secret
        secrets.create_secret(Name=name, SecretString=json.dumps(stand_in.vendor.secret))


def stop_stand_ins(stand_ins: dict[str, SaasStandIn]) -> None:
    """Every stand-in stopped at once: each waits up to a poll for its server to see the stop."""
    stopping = [threading.Thread(target=stand_in.stop) for stand_in in stand_ins.values()]
    for thread in stopping:
        thread.start()
    for thread in stopping:
        thread.join()
