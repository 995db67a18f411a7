"""Visible-text extraction used by check.py (and usable by anyone scoring against the corpus)."""
from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path


class _Visible(HTMLParser):
    SKIP = {"script", "style", "head"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self.in_title = True
        elif tag in self.SKIP:
            self.skip += 1
        if tag in ("p", "div", "br", "tr", "li", "h1", "h2", "h3", "table", "ul"):
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        elif tag in self.SKIP:
            self.skip = max(0, self.skip - 1)

    def handle_data(self, data):
        if self.in_title or not self.skip:
            self.parts.append(data)


def html_text(raw: str) -> str:
    p = _Visible()
    p.feed(raw)
    p.close()
    return "".join(p.parts)


def docx_text(path: Path) -> str:
    import docx

    d = docx.Document(str(path))
    out = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            out.append(" ".join(c.text for c in row.cells))
    return "\n".join(out)


def pdf_text(path: Path) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    out = []
    for i in range(len(pdf)):
        tp = pdf[i].get_textpage()
        out.append(tp.get_text_range())
        tp.close()
    pdf.close()
    return "\n".join(out)


def visible_text(path: Path) -> str:
    ext = path.suffix.lower()
    if ext == ".html":
        return html_text(path.read_text("utf-8"))
    if ext == ".docx":
        return docx_text(path)
    if ext == ".pdf":
        return pdf_text(path)
    return path.read_text("utf-8")


_WS = re.compile(r"\s+")


def norm(s: str) -> str:
    """NFKC, and no whitespace: PDF text layers break lines inside phrases."""
    return _WS.sub("", unicodedata.normalize("NFKC", s))
