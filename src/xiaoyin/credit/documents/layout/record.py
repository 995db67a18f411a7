"""Setting typed values by dotted field path while recording where each came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from ..schemas import Finding, Provenance
from .segments import DocLayout, PageLayout


@dataclass
class Hit:
    """A value found in page text: the parsed value and the [start, end) span it was read from."""

    value: Any
    page: PageLayout
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.page.text[self.start : self.end]


@dataclass
class Record:
    """A document model being filled, its provenance per field path and findings."""

    data: BaseModel
    provenance: dict[str, Provenance] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def get(self, path: str) -> Any:
        obj: Any = self.data
        for part in path.split("."):
            if obj is None:
                return None
            obj = obj[int(part)] if part.isdigit() else getattr(obj, part, None)
        return obj

    def set(self, path: str, value: Any, prov: Provenance, *, overwrite: bool = False) -> bool:
        """Set ``path`` to ``value`` unless it is already set (or ``overwrite``); True if set."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return False
        if not overwrite and self.get(path) not in (None, [], ""):
            return False
        *parents, last = path.split(".")
        obj: Any = self.data
        for part in parents:
            obj = obj[int(part)] if part.isdigit() else getattr(obj, part)
        if last.isdigit():
            obj[int(last)] = value
        else:
            setattr(obj, last, value)
        self.provenance[path] = prov
        return True

    def set_hit(self, path: str, hit: Hit | None, *, overwrite: bool = False) -> bool:
        """Set ``path`` from a page-text hit (provenance: page, span, box)."""
        if hit is None:
            return False
        return self.set(path, hit.value, hit_provenance(hit), overwrite=overwrite)


def hit_provenance(hit: Hit) -> Provenance:
    page = hit.page
    return Provenance(
        source="ocr" if page.source == "ocr" else "text",
        page=page.number,
        span=(hit.start, hit.end),
        bbox=page.bbox_of(hit.start, hit.end),
        text=hit.text,
    )


def layout_source(layout: DocLayout) -> str:
    return "ocr" if any(p.source == "ocr" for p in layout.pages) else "text"
