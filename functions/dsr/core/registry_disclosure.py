"""What GDPR art. 15(1) asks a copy of someone's data to say beside the data itself, per system of
the registry: why the company uses it (purposes), where it came from (sources), who receives it
(recipients, by name or by kind), and what each field means (a label and a description), each a
registry text in the languages the desk ships (``dsr.core.registry_text``)."""

from pydantic import Field

from dsr.core.registry_stores import AttributeName, RegistryModel
from dsr.core.registry_text import SubjectText200, SubjectText300


class FieldLabel(RegistryModel):
    """How the package names one field of a system's records, and what it holds."""

    label: SubjectText200
    description: SubjectText300 | None = None


class Disclosure(RegistryModel):
    """What the package says beside a system's records (all optional)."""

    purposes: list[SubjectText300] = Field(default_factory=list, description="why we use this data")
    sources: list[SubjectText300] = Field(default_factory=list, description="where we got it")
    recipients: list[SubjectText300] = Field(
        default_factory=list, description="who receives it, by name or by kind (our payment provider)"
    )
    fields: dict[AttributeName, FieldLabel] = Field(
        default_factory=dict, description="each field's label and description, by the field's name"
    )

    def texts(self) -> list[tuple[str, object]]:
        """Each text with where it is (``disclosure.fields.plan.label``), for the registry check."""
        found: list[tuple[str, object]] = []
        for kind in ("purposes", "sources", "recipients"):
            found += [(f"disclosure.{kind}.{i}", text) for i, text in enumerate(getattr(self, kind))]
        for name, labelled in self.fields.items():
            found.append((f"disclosure.fields.{name}.label", labelled.label))
            if labelled.description is not None:
                found.append((f"disclosure.fields.{name}.description", labelled.description))
        return found
