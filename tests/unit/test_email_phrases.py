"""Reading what an email asks for, in every language the desk reads."""

from __future__ import annotations

import pytest

import dsr.inbox.email_phrases
from dsr.core.models import RequestType
from dsr.inbox.email_phrases import PHRASES_BY_LANGUAGE, requested_types


@pytest.mark.parametrize(
    ("subject", "body", "expected"),
    [
        ("Delete my account", "", [RequestType.ERASURE]),
        ("Subject access request", "", [RequestType.ACCESS]),
        ("", "Please unsubscribe me from your newsletter", [RequestType.MARKETING_OPT_OUT]),
        ("", "My phone number is inaccurate, please correct it", [RequestType.RECTIFICATION]),
        ("", "I object to processing based on legitimate interest", [RequestType.OBJECTION]),
        ("Hello", "Great product!", []),
    ],
)
def test_the_request_type_is_read_from_subject_and_body(
    subject: str, body: str, expected: list[RequestType]
) -> None:
    assert requested_types(subject, body) == expected


@pytest.mark.parametrize(
    ("subject", "body", "expected"),
    [
        (
            "Automated decisions",
            "I want to opt out of automated decision-making technology about me.",
            [RequestType.ADMT_OPT_OUT],
        ),
        (
            "",
            "Please send me information about automated decisions you make about me.",
            [RequestType.ADMT_ACCESS],
        ),
        (
            "CCPA request",
            "Limit the use of my sensitive personal information.",
            [RequestType.LIMIT_SENSITIVE],
        ),
        (
            "",
            "Under Oregon law I ask for the list of the specific third parties you disclosed my data to.",
            [RequestType.THIRD_PARTY_LIST],
        ),
        (
            "Profiling",
            "I question the result of the profiling: tell me the reason for the decision and "
            "have it re-evaluated.",
            [RequestType.PROFILING_REVIEW],
        ),
        (
            "",
            "Unsubscribe me, and opt out of automated decisions too.",
            [RequestType.MARKETING_OPT_OUT, RequestType.ADMT_OPT_OUT],
        ),
    ],
)
def test_the_rights_of_the_newer_laws_are_read_and_not_taken_for_the_general_ones(
    subject: str, body: str, expected: list[RequestType]
) -> None:
    assert sorted(requested_types(subject, body)) == sorted(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # French
        ("Je vous demande de supprimer mes données.", RequestType.ERASURE),
        ("Droit à l'oubli", RequestType.ERASURE),
        ("Exercice de mon droit d'accès", RequestType.ACCESS),
        ("exercice de mon droit d\u2019acces", RequestType.ACCESS),  # typographic apostrophe, no accent
        ("Je veux une copie de mes données", RequestType.ACCESS),
        ("Merci de rectifier mon adresse", RequestType.RECTIFICATION),
        ("Je souhaite me DÉSABONNER", RequestType.MARKETING_OPT_OUT),
        ("se desabonner", RequestType.MARKETING_OPT_OUT),
        ("Je fais opposition au traitement", RequestType.OBJECTION),
        ("Portabilité de mes données", RequestType.PORTABILITY),
        # German
        ("Antrag auf Löschung meiner Daten", RequestType.ERASURE),
        ("LOSCHUNG", RequestType.ERASURE),
        ("Bitte um Datenlöschung", RequestType.ERASURE),
        ("Bitte Daten loeschen", RequestType.ERASURE),
        ("Auskunft nach Art. 15 DSGVO", RequestType.ACCESS),
        ("Ich bitte um eine Selbstauskunft", RequestType.ACCESS),
        ("Auskunftsersuchen", RequestType.ACCESS),
        ("Bitte berichtigen Sie meine Anschrift", RequestType.RECTIFICATION),
        ("Vom Newsletter abmelden", RequestType.MARKETING_OPT_OUT),
        ("Widerspruch gegen die Verarbeitung", RequestType.OBJECTION),
        ("Recht auf Datenübertragbarkeit", RequestType.PORTABILITY),
        ("Einschränkung der Verarbeitung", RequestType.RESTRICTION),
        # Spanish
        ("Quiero suprimir mis datos", RequestType.ERASURE),
        ("Derecho al olvido", RequestType.ERASURE),
        ("Solicito acceso a mis datos", RequestType.ACCESS),
        ("Quiero darme de baja", RequestType.MARKETING_OPT_OUT),
        ("Deseo darse de baja", RequestType.MARKETING_OPT_OUT),
        ("Solicito rectificar mi dirección", RequestType.RECTIFICATION),
        ("Ejerzo mi derecho de oposición", RequestType.OBJECTION),
        ("DERECHO DE OPOSICION", RequestType.OBJECTION),
        ("Limitación del tratamiento", RequestType.RESTRICTION),
        ("Quiero limitar el uso de mi información personal sensible", RequestType.LIMIT_SENSITIVE),
        ("Quiero excluirme de la toma de decisiones automatizadas", RequestType.ADMT_OPT_OUT),
        ("Pido información sobre decisiones automatizadas", RequestType.ADMT_ACCESS),
        ("Pido la lista de terceros a los que dieron mis datos", RequestType.THIRD_PARTY_LIST),
    ],
)
def test_requests_are_read_in_french_german_and_spanish_whatever_the_accents_and_case(
    text: str, expected: RequestType
) -> None:
    assert requested_types("", text) == [expected]
    assert requested_types(text.upper(), "") == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "Für weitere Auskünfte stehe ich Ihnen gern zur Verfügung.",  # a German sign-off
        "Your website's accessibility is excellent.",
        "Merci pour votre accueil chaleureux.",
        "I was charged correctly, thank you.",
        "Muchas gracias por su atención. Saludos cordiales.",
        "Mit freundlichen Grüßen, Ihr Kundenservice",
    ],
)
def test_common_words_do_not_pass_for_a_request(text: str) -> None:
    assert requested_types("", text) == []


def test_the_module_says_which_languages_it_reads() -> None:
    assert set(PHRASES_BY_LANGUAGE) == {"English", "French", "German", "Spanish"}
    doc = dsr.inbox.email_phrases.__doc__ or ""
    assert all(language in doc for language in PHRASES_BY_LANGUAGE)
