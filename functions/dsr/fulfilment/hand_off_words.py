"""Whom the desk passed a system's task to, in the words the subject is told: a processor by the
name the registry gives it in brackets, a vendor by its name, the businesses that hold the
person as a contact. Never a processor's domain or a person's name."""

from dsr.core import catalogs
from dsr.core.catalogs import N_
from dsr.core.languages import ENGLISH
from dsr.core.registry import SystemEntry
from dsr.core.registry_stores import HandOffRoute, OpenDsrProcessor, SystemOwner, VendorByEmail

CUSTOMERS_HANDED_TO = N_("the businesses that use our service and hold your details")


def _processor_name(system_name: str, language: str) -> str:
    """``Marketing email (our email provider)`` names its processor in brackets: ``our email
    provider``; a name without brackets is said whole. Never the processor's domain."""
    inner = system_name.rpartition("(")[2].removesuffix(")").strip()
    if system_name.endswith(")") and inner:
        return inner
    return catalogs.gettext(language, "the provider of %(system)s", system=system_name)


def handed_to(system: SystemEntry, language: str = ENGLISH) -> str:
    """Whom a system's tasks are passed to, as the subject is told in ``language`` (empty for
    the desk's own, and for a system its owner inside the company keeps)."""
    store = system.store
    if isinstance(store, OpenDsrProcessor):
        return _processor_name(system.name.in_language(language), language)
    if isinstance(store, VendorByEmail):
        return store.vendor
    if isinstance(store, SystemOwner):  # a team of the company's own: not someone else
        return ""
    if isinstance(store, HandOffRoute):
        return catalogs.gettext(language, CUSTOMERS_HANDED_TO)
    return ""
