"""HTML via BeautifulSoup/lxml: h1-h6 headings, paragraphs, lists, tables; script/style/nav dropped."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from xiaoyin.knowledge.types import Block, ParsedDocument

from .common import classify_paragraph, decode_text, finish, norm_space, table_block

SKIP = {"script", "style", "nav", "noscript", "template", "iframe", "svg", "head", "button", "select", "form"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BLOCK = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "body",
    "html",
    "ul",
    "ol",
    "li",
    "blockquote",
    "pre",
    "dl",
    "dt",
    "dd",
    "header",
    "footer",
    "aside",
    "figure",
    "figcaption",
    "address",
    "center",
    "hr",
}


def _text(el: Tag) -> str:
    return norm_space(el.get_text(" ", strip=True))


def _table(el: Tag) -> Block | None:
    rows: list[list[str]] = []
    has_th = False
    for tr in el.find_all("tr"):
        cells = tr.find_all(["th", "td"])
        if tr.find("th") is not None and not rows:
            has_th = True
        vals = [_text(c) for c in cells]
        if any(vals):
            rows.append(vals)
    if not rows:
        return None
    return table_block(rows[0], rows[1:], meta={"header_detected": has_th})


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []

    def emit(self, text: str, kind: str) -> None:
        text = "\n".join(norm_space(x) for x in text.split("\n") if x.strip())
        if text:
            b = classify_paragraph(text)
            if kind == "list" and b.kind == "paragraph":
                b.kind = "list"
            self.blocks.append(b)

    def walk(self, el: Tag, kind: str = "paragraph") -> None:
        buf: list[str] = []
        for child in el.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                buf.append(str(child))
                continue
            if not isinstance(child, Tag) or child.name in SKIP:
                continue
            if child.name == "br":
                buf.append("\n")
            elif child.name in HEADINGS:
                self.emit("".join(buf), kind)
                buf = []
                t = _text(child)
                if t:
                    self.blocks.append(Block(t, kind="heading", level=int(child.name[1])))
            elif child.name == "table":
                self.emit("".join(buf), kind)
                buf = []
                tb = _table(child)
                if tb is not None:
                    self.blocks.append(tb)
            elif child.name in BLOCK:
                self.emit("".join(buf), kind)
                buf = []
                self.walk(child, "list" if child.name == "li" else kind)
            elif child.find(list(BLOCK | HEADINGS | {"table"})) is not None:
                self.emit("".join(buf), kind)  # an inline element wrapping blocks (loose HTML)
                buf = []
                self.walk(child, kind)
            else:
                buf.append(child.get_text())
        self.emit("".join(buf), kind)


_DATE_META = re.compile(r"^(date|pubdate|publishdate|publish_date|publication_date|article:published_time|"
                        r"dc\.date(\.issued|\.created)?|dcterms\.(issued|created|date)|datepublished|created)$", re.I)


def parse(
    path: Path, *, ocr_dpi: int = 200, progress: Callable[[int, int], None] | None = None
) -> ParsedDocument:
    data = path.read_bytes()
    meta: dict[str, object] = {}
    if re.search(rb"charset\s*=", data[:4096], re.I):
        soup = BeautifulSoup(data, "lxml")
        meta["encoding"] = soup.original_encoding
    else:
        text, enc = decode_text(data)
        soup = BeautifulSoup(text, "lxml")
        meta["encoding"] = enc
    for attr in ("name", "property", "itemprop", "http-equiv"):  # a publication date in the page's metadata
        tag = soup.find("meta", attrs={attr: _DATE_META}, content=True)
        if tag is not None:
            meta["published"] = str(tag["content"])[:40]
            break
    else:
        time_tag = soup.find("time", attrs={"datetime": True})
        if time_tag is not None:
            meta["published"] = str(time_tag["datetime"])[:40]
    title_tag = soup.find("title")
    title = _text(title_tag) if title_tag else None
    w = _Walker()
    w.walk(soup.body or soup)
    blocks = finish(w.blocks)
    if not title:
        title = next((b.text for b in blocks if b.kind == "heading"), None)
    return ParsedDocument(blocks=blocks, title=title or None, meta=meta)
