"""Text the company writes in the registry for subjects to read (a system's name, a third party's
purpose, an exemption's reason, what an automated decision does), in the languages the desk ships.

Each such field of ``systems.yaml`` is either a plain string, which is English, or a mapping of
language to text::

    reason:
      en: Tax law requires us to keep invoices for several years
      fr: la législation fiscale nous oblige à conserver les factures pendant plusieurs années
      de: Das Steuerrecht verpflichtet uns, Rechnungen mehrere Jahre aufzubewahren

English is required. Read as a string, the field is its English text (what staff, logs and the
audit trail see); ``shown_in`` picks the text for a subject's language: the language's own, for
``fr_CA`` else French's, else English, together with the language it is actually in, so that a
page can mark English shown among another language's words (``lang="en"``, WCAG 3.1.2).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple, Self

from pydantic import AfterValidator, GetCoreSchemaHandler
from pydantic_core import core_schema

from dsr.core.languages import ENGLISH, SHIPPED_LANGUAGES, locale_id

if TYPE_CHECKING:
    from dsr.core.registry import SystemEntry


class Shown(NamedTuple):
    """A registry text as a subject is shown it: the words, and the language they are in."""

    text: str
    language: str


def fallbacks(language: str) -> list[str]:
    """Where a text missing in ``language`` is taken from, in order: ``fr_CA``, ``fr``, ``en``."""
    chain = [language]
    if "_" in language:
        chain.append(language.split("_", maxsplit=1)[0])
    return [*dict.fromkeys([*chain, ENGLISH])]


class LocalText(str):
    """A registry text: the English string, with its translations beside it."""

    translations: Mapping[str, str]
    """Each language's text, English's among them, by Babel's locale id (``fr_CA``)."""

    def __new__(cls, english: str, translations: Mapping[str, str] | None = None) -> Self:
        made = super().__new__(cls, english)
        made.translations = {ENGLISH: english, **(translations or {})}
        return made

    def shown_in(self, language: str) -> Shown:
        """The text for a subject reading ``language``: its own, else its fallback's, else English."""
        for candidate in fallbacks(language):
            if candidate in self.translations:
                return Shown(self.translations[candidate], candidate)
        return Shown(str(self), ENGLISH)

    def in_language(self, language: str) -> str:
        return self.shown_in(language).text

    def falls_back_to_english(self) -> list[str]:
        """The shipped languages a subject would read this text in English for."""
        return [
            language
            for language in SHIPPED_LANGUAGES
            if language != ENGLISH and self.shown_in(language).language == ENGLISH
        ]

    @classmethod
    def written(cls, value: object) -> LocalText:
        """A plain string (English) or a mapping of language to text, as the registry gives it."""
        if isinstance(value, LocalText):
            return value
        if isinstance(value, str):
            return cls(_some_text(value))
        if not isinstance(value, Mapping):
            raise ValueError("give the text as a string (English) or as {en: ..., fr: ..., de: ...}")  # noqa: TRY004 - pydantic reports ValueError
        by_language = {locale_id(str(tag)): _some_text(text) for tag, text in value.items()}
        unknown = sorted(set(by_language) - set(SHIPPED_LANGUAGES))
        if unknown:
            raise ValueError(
                f"{', '.join(unknown)} is not a language the desk ships ({', '.join(SHIPPED_LANGUAGES)})"
            )
        if ENGLISH not in by_language:
            raise ValueError("the English text (en) is required: it is shown where a language has none")
        return cls(by_language[ENGLISH], by_language)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.written, serialization=core_schema.plain_serializer_function_ser_schema(str)
        )


def _some_text(text: object) -> str:
    if not isinstance(text, str):
        raise ValueError("Input should be a valid string")  # noqa: TRY004 - pydantic reports ValueError
    if not text:
        raise ValueError("String should have at least 1 character")
    return text


def at_most(characters: int) -> Callable[[LocalText], LocalText]:
    """A validator refusing a text longer than ``characters`` in any of its languages."""

    def checked(value: LocalText) -> LocalText:
        for language, text in value.translations.items():
            if len(text) > characters:
                raise ValueError(f"the {language} text is longer than {characters} characters")
        return value

    return checked


# A registry field a subject reads, at most this long in each language.
SubjectText200 = Annotated[LocalText, AfterValidator(at_most(200))]
SubjectText300 = Annotated[LocalText, AfterValidator(at_most(300))]
SubjectText500 = Annotated[LocalText, AfterValidator(at_most(500))]
SubjectText1000 = Annotated[LocalText, AfterValidator(at_most(1000))]


def subject_texts(system: SystemEntry) -> list[tuple[str, LocalText]]:
    """Each text of a registry system a subject may read, with where it is (``exemptions.0.reason``)."""
    texts: list[tuple[str, LocalText]] = [("name", system.name)]
    for index, party in enumerate(system.third_parties):
        texts.append((f"third_parties.{index}.purpose", party.purpose))
    for index, exemption in enumerate(system.exemptions):
        texts += [(f"exemptions.{index}.reason", exemption.reason)]
        texts += [(f"exemptions.{index}.citation", exemption.citation)]
    if system.automated_decisions is not None:
        decisions = system.automated_decisions
        for field in ("purpose", "logic", "outcome", "human_role"):
            texts.append((f"automated_decisions.{field}", getattr(decisions, field)))
    texts += [(where, text) for where, text in system.disclosure.texts() if isinstance(text, LocalText)]
    return texts


def shown_in(value: str, language: str) -> Shown:
    """Any registry text (a ``LocalText``, or a plain string, which is English) for ``language``."""
    return value.shown_in(language) if isinstance(value, LocalText) else Shown(value, ENGLISH)


def text_in(value: str, language: str) -> str:
    """The words of ``shown_in``."""
    return shown_in(value, language).text
