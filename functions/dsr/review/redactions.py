"""What a reviewer took out of an access package before its release, and how the released
package says so: each redaction is a field of one record, or a whole record, of one system's
part, with the ground it was withheld on. The values themselves are never recorded."""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pydantic import ConfigDict, Field

from dsr.core import catalogs
from dsr.core.desk_model import DeskModel
from dsr.core.registry_text import LocalText
from dsr.review.withholding import WithholdingGround, grounds_for_subject


class Redaction(DeskModel):
    """One thing withheld: ``field`` of the ``record``-th record (from 0) of a system's part, or
    the whole record when ``field`` is None."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    system_id: str = Field(min_length=1, max_length=100)
    record: int = Field(ge=0, lt=1_000_000, description="the record's place in the system's part, from 0")
    field: str | None = Field(
        default=None, min_length=1, max_length=200, description="the field withheld; none: the whole record"
    )
    ground: WithholdingGround


class Redactions:
    """The redactions of one package, as the release applies them."""

    def __init__(self, redactions: Iterable[Redaction] = ()) -> None:
        self._whole: dict[str, set[int]] = defaultdict(set)
        self._fields: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._grounds: dict[str, set[WithholdingGround]] = defaultdict(set)
        for redaction in redactions:
            if redaction.field is None:
                self._whole[redaction.system_id].add(redaction.record)
            else:
                self._fields[redaction.system_id][redaction.record].add(redaction.field)
            self._grounds[redaction.system_id].add(redaction.ground)

    @classmethod
    def recorded(cls, stored: Mapping[str, Any] | None) -> "Redactions":
        """The redactions kept on the package's review task (``dsr.storage.package_reviews``)."""
        return cls(
            Redaction(
                system_id=str(item["system_id"]),
                record=int(item["record"]),
                field=str(item["field"]) if item.get("field") else None,
                ground=WithholdingGround(str(item["ground"])),
            )
            for item in (stored or {}).values()
        )

    def apply(self, system_id: str, records: Iterable[Any]) -> Iterator[Any]:
        """The system's records less what was withheld: a whole record is left out, a field is
        taken out of its record."""
        whole = self._whole.get(system_id, set())
        fields = self._fields.get(system_id, {})
        for index, record in enumerate(records):
            if index in whole:
                continue
            taken = fields.get(index)
            if taken and isinstance(record, dict):
                yield {name: value for name, value in record.items() if name not in taken}
            else:
                yield record

    def records_withheld(self, system_id: str) -> int:
        return len(self._whole.get(system_id, ()))

    def fields_withheld(self, system_id: str) -> int:
        """Fields taken out of records still in the package (a whole record counts as a record)."""
        whole = self._whole.get(system_id, set())
        return sum(
            len(names) for index, names in self._fields.get(system_id, {}).items() if index not in whole
        )

    def systems(self) -> list[str]:
        return sorted(self._grounds)

    def statement(self, names: Mapping[str, LocalText], language: str) -> dict[str, Any] | None:
        """What the released package says of what was withheld, in ``language``: per system how
        many fields and records and on what grounds; None when nothing was."""
        if not self._grounds:
            return None
        systems = {}
        for system_id in self.systems():
            grounds = [g for g in WithholdingGround if g in self._grounds[system_id]]
            name = names[system_id].in_language(language) if system_id in names else system_id
            amount = self._amount(system_id, language)
            systems[system_id] = {
                "fields": self.fields_withheld(system_id),
                "records": self.records_withheld(system_id),
                "grounds": [g.value for g in grounds],
                "explained": catalogs.gettext(
                    language,
                    "%(system)s: %(amount)s withheld, because %(grounds)s.",
                    system=name,
                    amount=amount,
                    grounds="; ".join(grounds_for_subject(grounds, language)),
                ),
            }
        return {
            "statement": catalogs.gettext(
                language,
                "Some information was withheld from this copy. For each system, how much and why:",
            ),
            "systems": systems,
        }

    def _amount(self, system_id: str, language: str) -> str:
        parts = []
        if fields := self.fields_withheld(system_id):
            parts.append(catalogs.ngettext(language, "%(count)s field", "%(count)s fields", fields))
        if records := self.records_withheld(system_id):
            parts.append(catalogs.ngettext(language, "%(count)s record", "%(count)s records", records))
        if len(parts) > 1:  # fields and records
            return catalogs.gettext(language, "%(fields)s and %(records)s", fields=parts[0], records=parts[1])
        return parts[0]
