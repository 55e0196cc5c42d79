"""Environment settings, validated once per cold start. Nothing that differs per deployment has a default."""

import os
from pathlib import Path
from typing import Self

from pydantic import ConfigDict, Field

from dsr.core.desk_model import DeskModel


class DeskSettings(DeskModel):
    model_config = ConfigDict(frozen=True)

    requests_table: str = Field(alias="REQUESTS_TABLE")
    packages_bucket: str = Field(alias="PACKAGES_BUCKET")
    inbound_mail_bucket: str = Field(alias="INBOUND_MAIL_BUCKET")
    data_key_id: str = Field(alias="DATA_KEY_ID")
    identity_key_id: str = Field(alias="IDENTITY_KEY_ID")
    sender_address: str = Field(alias="SENDER_ADDRESS")
    privacy_mailbox: str = Field(alias="PRIVACY_MAILBOX")
    staff_alert_address: str = Field(
        default="", alias="STAFF_ALERT_ADDRESS", description="where deadline reminders are emailed"
    )
    public_base_url: str = Field(alias="PUBLIC_BASE_URL")
    account_id: str | None = Field(
        default=None,
        pattern=r"^\d{12}$",
        alias="DESK_ACCOUNT_ID",
        description="the desk's own AWS account (template.yaml sets it); unset: asked of STS on first use",
    )
    alerts_topic_arn: str = Field(alias="ALERTS_TOPIC_ARN")
    state_machine_arn: str | None = Field(default=None, alias="STATE_MACHINE_ARN")
    system_registry_path: Path = Field(
        default=Path(__file__).parents[1] / "config" / "systems.yaml", alias="SYSTEM_REGISTRY_PATH"
    )
    verification_code_ttl_minutes: int = Field(
        default=30, ge=1, le=24 * 60, alias="VERIFICATION_CODE_TTL_MINUTES"
    )
    verification_window_seconds: int = Field(
        default=14 * 24 * 3600, ge=60, alias="VERIFICATION_WINDOW_SECONDS"
    )
    review_window_seconds: int = Field(default=30 * 24 * 3600, ge=60, alias="REVIEW_WINDOW_SECONDS")
    product_login_url: str = Field(default="", alias="PRODUCT_LOGIN_URL")
    product_login_public_key: str = Field(
        default="", alias="PRODUCT_LOGIN_PUBLIC_KEY", description="Ed25519, base64; empty: no account level"
    )
    four_eyes_for_erasure: bool = Field(
        default=False,
        alias="FOUR_EYES_FOR_ERASURE",
        description="an erasure is decided only after another staff member has triaged it",
    )
    review_access_packages: bool = Field(
        default=False,
        alias="REVIEW_ACCESS_PACKAGES",
        description="every access package waits for a reviewer's release before the subject can "
        "download it (a system's review_before_release flag holds the packages it is part of)",
    )
    florida_covered: bool = Field(
        default=False,
        alias="FLORIDA_COVERED",
        description="the company is covered by Florida's Digital Bill of Rights (over US$1 billion in "
        "revenue and the further test of Fla. Stat. 501.702); false: a Florida resident's request runs "
        "on DEFAULT. Read by the deadline table (its US-FL policy's covered_only_if)",
    )
    controller_country: str = Field(
        default="",
        pattern=r"^$|^[A-Z]{2}(-[A-Z0-9]{1,3})?$",
        alias="CONTROLLER_COUNTRY",
        description="where the controller answers requests (ISO 3166-1, or 3166-2 for a region: IE, DE-BY): "
        "GDPR periods roll off its public holidays (Regulation 1182/71 Art. 2(1)); empty: weekends only",
    )
    rights_offered_everywhere: str = Field(
        default="access,rectification,erasure,marketing_opt_out",
        pattern=r"^(all|[a-z_]+(,[a-z_]+)*)?$",
        alias="RIGHTS_OFFERED_EVERYWHERE",
        description="the request types the company's privacy policy promises everyone, wherever they "
        "live, beside those each law gives (dsr.policies.rights): a comma-separated list, all, or "
        "empty for the law's alone. The default is what the shipped privacy policy promises: to "
        "review, correct and delete one's data, and to unsubscribe",
    )
    gpc_honoured_everywhere: bool = Field(
        default=True,
        alias="GPC_HONOURED_EVERYWHERE",
        description="a Global Privacy Control signal from a known person opens a sale and sharing "
        "opt-out wherever they live (the privacy policy promises everyone a way to stop processing "
        "and unsubscribe); false: only where the law makes it one (dsr.policies.opt_out_signals)",
    )
    package_link_ttl_hours: int = Field(
        default=72,
        ge=1,
        le=168,
        alias="PACKAGE_LINK_TTL_HOURS",
        description="how long the emailed link to the access package's download page works; at most 7 days",
    )

    @classmethod
    def from_environment(cls) -> Self:
        return cls.model_validate(dict(os.environ))
