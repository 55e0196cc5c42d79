"""The PDF of lines behind the evidence pack and the deletion certificate: the subject's languages
read back as written, long lines wrapped rather than cut, and a footer on every page."""

from __future__ import annotations

import io

import pypdf

from dsr.core.text_pdf import LINES_PER_PAGE, text_pdf


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def test_french_german_and_spanish_read_back_as_written() -> None:
    lines = [
        "Où nous les avons supprimées, et ce que nous avons conservé et pourquoi\u00a0:",
        "Löschbestätigung für Ihre Datenschutzanfrage „abc“",
        "¿Dónde los hemos suprimido?",
    ]

    text = _pages(text_pdf("Certificat", lines, lambda page, pages: [f"{page}/{pages}"], "fr"))[0]

    for line in lines:
        assert line.replace("\u00a0", " ") in text.replace("\u00a0", " ")


def test_long_lines_wrap_and_every_page_has_its_footer() -> None:
    long_line = " ".join(f"word{n}" for n in range(60))
    lines = [long_line, *(f"line {n}" for n in range(LINES_PER_PAGE + 5))]

    pages = _pages(text_pdf("Pack", lines, lambda page, pages: [f"page {page} of {pages}"]))

    assert len(pages) == 2
    assert "word59" in pages[0] and "line 0" in pages[0]
    assert [f"page {n} of 2" in text for n, text in enumerate(pages, start=1)] == [True, True]
