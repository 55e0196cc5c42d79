"""The access package for people: grouped by system, every value shown as text."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import yaml

from dsr.notices import package_page
from dsr.notices.package_page import readable_package
from dsr.storage.packages import PackageStore

BUCKET = "packages"


def _records(store: PackageStore) -> Callable[[str], Iterator[Any]]:
    return lambda system_id: store.part_records("r-1", system_id)


def test_the_readable_package_groups_by_system_and_escapes_every_value(aws: None) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    kms_key = boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]["KeyId"]
    store = PackageStore(s3, BUCKET, kms_key)
    store.put_part("r-1", "accounts", [{"name": "<img src=x onerror=alert(1)>", "tags": ["a", "b"]}])
    store.put_part("r-1", "tickets", [{"topic": "Billing"}, {"topic": "Training"}])
    header = {
        "generated_at": "2026-11-29T10:00:00+00:00",
        "systems": {"accounts": {"name": "Platform accounts", "categories": ["contact details"]}},
    }

    key = store.put_readable("r-1", readable_package("r-1", ["tickets", "accounts"], header, _records(store)))

    page = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()
    assert page.index("Platform accounts") < page.index("tickets")  # sorted by system id
    assert "Kinds of data: contact details" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img" not in page
    assert page.count("<dl>") == 3
    assert "<dd>a, b</dd>" in page


def test_the_readable_package_shows_each_systems_data_for_people_and_says_where_there_was_none(
    aws: None,
) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    kms_key = boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]["KeyId"]
    store = PackageStore(s3, BUCKET, kms_key)
    card = {"card_last4": "4242", "marketing_opt_in": True, "created_month": "2021-03"}
    charge = {"charged_on": "2025-02-28", "timestamp": "2026-10-02T09:14:03Z", "order_total": 49}
    count = store.put_part("r-1", "payments", [card, charge])
    header = {
        "generated_at": "2026-12-06T10:55:48.688334+00:00",
        "systems": {"payments": {"name": "Payments", "categories": ["billing details"], "records": count}},
        "nothing_found": {"crm-contacts": "Contacts in our customers' CRMs"},
    }

    key = store.put_readable("r-1", readable_package("r-1", ["payments"], header, _records(store)))

    page = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()
    assert "prepared 6 December 2026, 10:55 UTC." in page
    assert "<p>2 records about you.</p>" in page  # the count the completion email gives
    assert "<dt>Card number (last 4 digits)</dt><dd>4242</dd>" in page
    assert "<dt>Agreed to marketing emails</dt><dd>Yes</dd>" in page
    assert "<dt>Account opened (month)</dt><dd>March 2021</dd>" in page
    assert "<dt>Charged on</dt><dd>28 February 2025</dd>" in page
    assert "<dd>2 October 2026, 09:14 UTC</dd>" in page
    assert "<dt>Order total</dt><dd>49</dd>" in page  # a field with no label: its name in words
    assert "card_last4" not in page and "marketing_opt_in" not in page
    assert "Where we found nothing" in page and "<li>Contacts in our customers&#39; CRMs</li>" in page


def test_a_database_s_rows_and_a_saas_tool_s_records_read_under_their_table_or_record_set(aws: None) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    kms_key = boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]["KeyId"]
    store = PackageStore(s3, BUCKET, kms_key)
    store.put_part(
        "r-1",
        "crm-database",
        [
            {"_table": "accounts", "account_id": "acct-1001", "name": "Ada Lovelace"},
            {"_table": "invoices", "invoice_id": 5001, "amount": "49.00"},
            {"_table": "invoices", "invoice_id": 5002, "amount": "49.00"},
            {"_table": "support_notes", "note_id": 9001, "body": "Asked how to export contacts."},
        ],
    )
    store.put_part(
        "r-1",
        "card-payments",
        [
            {"record_set": "person", "id": "cus_1", "created": 1614556800, "tags": [], "metadata": {}},
            {"record_set": "charges", "id": "ch_1", "created": 1617148800, "amount": 4900},
        ],
    )
    header = {"systems": {"crm-database": {"name": "Accounts and billing database"}}}

    key = store.put_readable(
        "r-1", readable_package("r-1", ["crm-database", "card-payments"], header, _records(store))
    )

    page = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()
    headings = [part.split("</h3>")[0] for part in page.split("<h3>")[1:]]
    assert headings == [
        "Record type: person",
        "Record type: charges",
        "From the table: accounts",
        "From the table: invoices",
        "From the table: support notes",
    ]
    assert "_table" not in page and "Record set" not in page and "<dt>Table</dt>" not in page
    assert "<dt>Created</dt><dd>1 March 2021, 00:00 UTC</dd>" in page  # not 1614556800
    assert "<dt>Amount</dt><dd>4900</dd>" in page  # an amount stays as the tool gave it
    assert "<dt>Tags</dt><dd>(none)</dd>" in page and "<dt>Metadata</dt><dd>(none)</dd>" in page


def test_the_readable_package_is_written_in_the_request_s_language() -> None:
    records = {"payments": [{"_table": "invoices", "marketing_opt_in": True, "charged_on": "2027-01-05"}]}
    header = {
        "generated_at": "2027-01-05T09:30:00+00:00",
        "systems": {
            "payments": {"name": "Payments", "records": 1, "categories": ["billing details", "pets"]}
        },
        "nothing_found": {"crm": "CRM"},
    }

    def page(language: str) -> str:
        return b"".join(readable_package("r-1", ["payments"], header, records.__getitem__, language)).decode()

    french, german = page("fr"), page("de")
    assert '<html lang="fr">' in french and "<h1>Vos données personnelles</h1>" in french
    assert "Référence r-1, préparée le 5 janvier 2027, 09:30 UTC." in french
    assert "<h3>De la table\u00a0: invoices</h3>" in french
    assert "<dt>A accepté les e-mails marketing</dt><dd>Oui</dd>" in french
    assert "<dt>Débité le</dt><dd>5 janvier 2027</dd>" in french
    assert "<p>1 enregistrement vous concernant.</p>" in french
    assert "<h2>Où nous n'avons rien trouvé</h2>" in french
    # a kind not listed is shown as written
    assert "<p>Types de données\u00a0: données de facturation, pets</p>" in french
    # Quebec's law, and so the Canadian French page, speaks of "renseignements personnels".
    assert "<p>Types de renseignements\u00a0: données de facturation, pets</p>" in page("fr_CA")
    assert '<html lang="de">' in german and "<dt>Belastet am</dt><dd>5. Januar 2027</dd>" in german
    assert "Your personal data" not in french + german and "Yes" not in french + german


def test_a_field_the_catalogs_do_not_name_reads_in_words_and_is_marked_english_elsewhere() -> None:
    records = {"crm": [{"createdAt": "2027-01-05", "legal_basis": "contract", "score": 41}]}
    header = {"generated_at": "2027-01-05T09:30:00+00:00", "systems": {"crm": {"name": "CRM", "records": 1}}}

    def page(language: str) -> str:
        return b"".join(readable_package("r-1", ["crm"], header, records.__getitem__, language)).decode()

    german, english = page("de"), page("en")
    assert '<dt lang="en">Created at</dt><dd>5. Januar 2027</dd>' in german
    assert '<dt lang="en">Legal basis</dt><dd>contract</dd>' in german
    assert "<dt>Punktzahl</dt><dd>41</dd>" in german
    assert "<dt>Created at</dt>" in english and 'lang="en">' not in english.split("<body", 1)[1]


def test_every_kind_of_data_the_registry_names_is_translated_on_the_package_page() -> None:
    systems = yaml.safe_load((Path(package_page.__file__).parents[1] / "config" / "systems.yaml").read_text())
    named = {category for system in systems["systems"] for category in system.get("categories", [])}
    assert named <= package_page.DATA_CATEGORIES, named - package_page.DATA_CATEGORIES
