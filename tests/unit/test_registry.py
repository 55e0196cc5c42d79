"""The system registry: the shipped file is valid, and mistakes are reported where they are."""

from __future__ import annotations

import re

import pytest

from dsr.core.actions import ACTIONS_FOR_REQUEST_TYPE, ANSWERED_WITHOUT_SYSTEMS, Action
from dsr.core.models import RequestType
from dsr.core.registry import load_registry, parse_registry
from dsr.core.registry_stores import OpenDsrProcessor, RegistryError, S3ObjectsStore
from dsr.core.settings import DeskSettings

VALID_SYSTEM = """
systems:
  - id: accounts
    name: Accounts
    owner: platform
    categories: [contact details]
    store: {kind: dynamodb, table: accounts, identity_attribute: email, key_attributes: [id]}
    actions: {export: {}, erase: {}}
"""

INVOICES = """
systems:
  - id: invoices
    name: Invoices
    owner: finance
    categories: [billing details]
    store: {kind: dynamodb, table: invoices, index: ByEmail, identity_attribute: email, key_attributes: [id]}
    actions:
      export: {}
      erase: {method: delete}
      rectify: {fields: {name: name}}
    exemptions:
      - applies_to: [erase]
        reason: Tax law keeps invoices
        citation: 26 U.S.C. 6001
        instead: {method: anonymize, fields: {name: "[removed]", email: null}}
"""

CVS = """
systems:
  - id: job-applications
    name: Job applications
    owner: people
    categories: [employment history]
    store: {kind: s3_objects, bucket: cvs, key_template: "cvs/{email_hash}/"}
    actions: {export: {}, erase: {method: delete}}
"""


def test_the_shipped_registry_names_the_stores_of_the_privacy_policy() -> None:
    path = DeskSettings.model_fields["system_registry_path"].default
    registry = load_registry(path)

    assert [s.id for s in registry.systems] == [
        "accounts",
        "invoice-terms",
        "billing-invoices",
        "marketing-leads",
        "support-tickets",
        "job-applications",
        "device-logs",
        "product-analytics",
        "platform-usage",
        "analytics",
        "card-payments",
        "support-messenger",
        "crm-database",
        "marketing-crm",
        "newsletter",
        "help-desk",
        "crm-contacts",
        "payments",
        "email-provider",
        "customer-service",
    ]
    assert {s.id: s.store.kind for s in registry.systems if s.store.kind == "saas"} == {
        "card-payments": "saas",  # Stripe, over its API
        "support-messenger": "saas",  # Intercom
        "marketing-crm": "saas",  # HubSpot
        "newsletter": "saas",  # Mailchimp
        "help-desk": "saas",  # Zendesk
    }
    kinds = {s.id: s.store.kind for s in registry.systems if s.hands_off}
    assert kinds == {
        "crm-contacts": "customer_controllers",  # the customers decide about their contacts
        "payments": "opendsr",
        "email-provider": "opendsr",
        "customer-service": "vendor_email",
    }
    assert all(s.supports(Action.EXPORT) and s.supports(Action.ERASE) for s in registry.systems)
    assert registry.supported_actions() == set(Action), "every request type is carried out somewhere"
    exemption = registry.system("billing-invoices").exemption_for(Action.ERASE)
    assert exemption is not None and exemption.instead is not None
    assert "6001" in exemption.citation
    assert {"name", "email", "address"} <= set(exemption.instead.fields)


def test_the_shipped_registry_says_what_its_automated_decisions_are_and_whom_data_goes_to() -> None:
    registry = load_registry(DeskSettings.model_fields["system_registry_path"].default)

    deciding = registry.automated_decision_systems()
    assert [s.id for s in deciding] == ["invoice-terms"]
    assert deciding[0].supports(Action.ADMT_OPT_OUT)
    assert [(s.id, party.name) for s, party in registry.third_parties()] == [
        ("accounts", "Fabrikam Reseller Partners LLC"),
        ("marketing-leads", "Contoso Events Inc."),
    ]
    assert [party.name for _, party in registry.third_parties(["marketing-leads", "analytics"])] == [
        "Contoso Events Inc."
    ]


def test_an_automated_decision_opt_out_needs_the_decisions_described() -> None:
    text = VALID_SYSTEM.replace("erase: {}", "erase: {}, admt_opt_out: {set_fields: {automated: false}}")

    with pytest.raises(RegistryError, match=r"admt_opt_out.*automated_decisions"):
        parse_registry(text)

    described = text.replace(
        "    actions:",
        "    automated_decisions: {purpose: p, logic: l, outcome: o, human_role: h}\n    actions:",
    )
    system = parse_registry(described).system("accounts")
    assert system.actions.flags(Action.ADMT_OPT_OUT) is not None
    assert system.automated_decisions is not None and system.automated_decisions.human_role == "h"


def test_every_request_type_maps_to_an_action_or_is_answered_without_systems() -> None:
    assert set(ACTIONS_FOR_REQUEST_TYPE) | ANSWERED_WITHOUT_SYSTEMS == set(RequestType)
    assert not set(ACTIONS_FOR_REQUEST_TYPE) & ANSWERED_WITHOUT_SYSTEMS
    assert ACTIONS_FOR_REQUEST_TYPE[RequestType.PORTABILITY] is Action.EXPORT
    assert ACTIONS_FOR_REQUEST_TYPE[RequestType.SALE_SHARING_OPT_OUT] is Action.OPT_OUT


def test_a_valid_registry_loads() -> None:
    registry = parse_registry(VALID_SYSTEM)

    accounts = registry.system("accounts")
    assert accounts.store.kind == "dynamodb"
    assert accounts.actions.erase is not None and accounts.actions.erase.method == "delete"
    assert accounts.actions.declared() == [Action.EXPORT, Action.ERASE]


def test_exemptions_and_the_new_actions_load() -> None:
    invoices = parse_registry(INVOICES).system("invoices")

    exemption = invoices.exemption_for(Action.ERASE)
    assert exemption is not None and exemption.instead is not None
    assert exemption.instead.fields == {"name": "[removed]", "email": None}
    assert invoices.exemption_for(Action.EXPORT) is None
    assert invoices.actions.rectify is not None and invoices.actions.rectify.fields == {"name": "name"}


def test_object_is_read_as_the_objection_action() -> None:
    text = VALID_SYSTEM.replace("erase: {}", "erase: {}, object: {set_fields: {tracking_consent: false}}")

    flags = parse_registry(text).system("accounts").actions.flags(Action.OBJECT)

    assert flags is not None and flags.set_fields == {"tracking_consent": False}


def test_an_objects_store_knows_its_placeholders() -> None:
    store = parse_registry(CVS).system("job-applications").store

    assert isinstance(store, S3ObjectsStore)
    assert store.placeholders == {"email_hash"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("systems: [", "not valid YAML"),
        ("systems: []", "systems: List should have at least 1 item"),
        (VALID_SYSTEM.replace("kind: dynamodb", "kind: oracle"), "systems.0.store"),
        (VALID_SYSTEM.replace("id: accounts", "id: Accounts!"), "systems.0.id"),
        (VALID_SYSTEM.replace("erase: {}", "erase: {}, teleport: {}"), "systems.0.actions.teleport"),
        (
            VALID_SYSTEM.replace("erase: {}", "erase: {}, opt_out: {}"),
            "systems.0.actions.opt_out.set_fields (system 'accounts'): Field required",
        ),
        (VALID_SYSTEM + VALID_SYSTEM.replace("systems:\n", ""), "appears twice"),
        (VALID_SYSTEM.replace("owner: platform", "owner: platform\n    colour: red"), "systems.0.colour"),
    ],
)
def test_a_broken_registry_is_refused_with_the_place_at_fault(text: str, expected: str) -> None:
    with pytest.raises(RegistryError) as refused:
        parse_registry(text, source="systems.yaml")

    assert expected in str(refused.value)
    assert str(refused.value).startswith("systems.yaml:")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            VALID_SYSTEM.replace("erase: {}", "erase: {method: anonymize}"),
            "systems.0.actions.erase (system 'accounts'): method anonymize needs fields",
        ),
        (
            VALID_SYSTEM.replace("erase: {}", "erase: {method: delete, fields: {name: x}}"),
            "systems.0.actions.erase (system 'accounts'): method delete removes whole records",
        ),
        (
            VALID_SYSTEM.replace("erase: {}", "erase: {method: shred}"),
            "systems.0.actions.erase.method (system 'accounts'): Input should be 'delete' or 'anonymize'",
        ),
        (
            VALID_SYSTEM.replace("erase: {}", "erase: {}, rectify: {fields: {}}"),
            "systems.0.actions.rectify.fields (system 'accounts'): Dictionary should have at least 1 item",
        ),
        (
            VALID_SYSTEM.replace("erase: {}", "erase: {}, rectify: {fields: {Postal Address: address}}"),
            "systems.0.actions.rectify.fields.Postal Address.[key] (system 'accounts')",
        ),
        (
            VALID_SYSTEM.replace("erase: {}", "erase: {}, restrict: {set_fields: {id: 1}}"),
            "actions.restrict.set_fields: id is a key of table 'accounts'; keys cannot change",
        ),
        (
            VALID_SYSTEM.replace("erase: {}", "erase: {}, rectify: {fields: {account_id: id}}"),
            "actions.rectify.fields: id is a key of table 'accounts'",
        ),
        (
            INVOICES.replace("applies_to: [erase]", "applies_to: [restrict]"),
            "systems.0 (system 'invoices'): exemptions.0.applies_to: restrict is not among",
        ),
        (
            INVOICES.replace("applies_to: [erase]", "applies_to: [export]"),
            "exemptions.0.instead: an export cannot be carried out another way",
        ),
        (
            INVOICES.replace("applies_to: [erase]", "applies_to: [erase, erase]"),
            "exemptions.0.applies_to: erase has more than one exemption",
        ),
        (
            INVOICES.replace("        citation: 26 U.S.C. 6001\n", ""),
            "systems.0.exemptions.0.citation (system 'invoices'): Field required",
        ),
        (
            INVOICES.replace("reason: Tax law keeps invoices", 'reason: ""'),
            "systems.0.exemptions.0.reason (system 'invoices'): String should have at least 1 character",
        ),
        (
            INVOICES.replace("instead: {method: anonymize,", "instead: {method: delete,"),
            "systems.0.exemptions.0.instead.method (system 'invoices')",
        ),
        (
            INVOICES.replace("email: null}", "invoice: 1, id: null}"),
            "exemptions.0.instead.fields: id is a key of table 'invoices'",
        ),
        (
            CVS.replace("{email_hash}", "{email}"),
            "an email address must never appear in an object key; use {email_hash}",
        ),
        (CVS.replace("cvs/{email_hash}/", "cvs/{phone}/"), "unknown placeholder(s) phone"),
        (CVS.replace("cvs/{email_hash}/", "cvs/all/"), "needs a placeholder naming the subject"),
        (CVS.replace("cvs/{email_hash}/", "cvs/{account_id}"), "each placeholder must be followed by '/'"),
        (
            CVS.replace("cvs/{email_hash}/", "cvs/{account_id}-cv/"),
            "each placeholder must be followed by '/'",
        ),
        (CVS.replace("cvs/{email_hash}/", "cvs/{email_hash!r}/"), "take no format spec or conversion"),
        (
            CVS.replace("erase: {method: delete}", "erase: {method: delete}, rectify: {fields: {name: n}}"),
            "actions: a s3_objects store cannot rectify",
        ),
        (
            CVS.replace("erase: {method: delete}", "erase: {method: anonymize, fields: {name: x}}"),
            "a s3_objects store cannot anonymize",
        ),
        (
            VALID_SYSTEM.replace(
                "store: {kind: dynamodb, table: accounts, identity_attribute: email, key_attributes: [id]}",
                "store: {kind: s3_csv, bucket: logs, identity_attribute: email, table: x}",
            ),
            "systems.0.store.s3_csv.table (system 'accounts'): Extra inputs are not permitted",
        ),
    ],
)
def test_the_new_fields_are_validated_with_the_system_and_field_named(text: str, expected: str) -> None:
    with pytest.raises(RegistryError) as refused:
        parse_registry(text, source="systems.yaml")

    assert expected in str(refused.value)


HAND_OFF_SYSTEM = """
systems:
  - id: payments
    name: Payments
    owner: finance
    categories: [billing details]
    store: {kind: opendsr, domain: payments.example, %s}
    actions: {export: {}, erase: {}%s}
"""


@pytest.mark.parametrize(
    ("store", "actions", "problem"),
    [
        ("base_url: http://payments.example", "", "base_url must be https"),
        (
            "base_url: https://a.example, base_url_env: PAY_URL",
            "",
            "exactly one of base_url and base_url_env",
        ),
        ("", "", "exactly one of base_url and base_url_env"),
        ("base_url_env: PAY_URL", ", rectify: {fields: {name: name}}", "a opendsr store cannot rectify"),
        (
            "base_url_env: PAY_URL",
            ", erase: {method: anonymize, fields: {name: x}}",
            "declare erase: {} and no",
        ),
    ],
)
def test_a_processor_entry_is_checked_when_loaded(store: str, actions: str, problem: str) -> None:
    text = HAND_OFF_SYSTEM % (store, actions)
    if "erase: {method" in actions:
        text = text.replace("erase: {}, ", "")
    with pytest.raises(RegistryError, match=re.escape(problem)):
        parse_registry(text)


def test_a_processor_url_from_the_environment_must_be_set() -> None:
    registry = parse_registry(HAND_OFF_SYSTEM % ("base_url_env: PAY_URL", ""))
    store = registry.system("payments").store
    assert isinstance(store, OpenDsrProcessor)
    assert store.resolved_base_url({"PAY_URL": "http://127.0.0.1:9"}) == "http://127.0.0.1:9"
    with pytest.raises(RegistryError, match="PAY_URL"):
        store.resolved_base_url({})
