"""Setting typed values by dotted field path while recording where each came from."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from ..schemas import Finding, Provenance
from .segments import DocLayout, PageLayout

log = logging.getLogger(__name__)


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

    def _parent(self, path: str) -> tuple[Any, str]:
        *parents, last = path.split(".")
        obj: Any = self.data
        for part in parents:
            obj = obj[int(part)] if part.isdigit() else getattr(obj, part)
        return obj, last

    def check(self, path: str, value: Any) -> tuple[Any, str | None]:
        """``value`` validated against the declared type of the field at ``path``: (value as the
        field holds it, None), or (value, reason) when it does not fit (or the path does not exist)."""
        try:
            obj, last = self._parent(path)
        except (AttributeError, IndexError, ValueError, TypeError):
            return value, f"no field {path}"
        if last.isdigit() or not isinstance(obj, BaseModel):
            return value, None
        adapter = _field_adapter(type(obj), last)
        if adapter is None:
            return value, f"no field {path}"
        try:
            return adapter.validate_python(value), None
        except ValidationError as e:
            return value, "; ".join(err["msg"] for err in e.errors()[:2])

    def set(self, path: str, value: Any, prov: Provenance, *, overwrite: bool = False) -> bool:
        """Set ``path`` to ``value`` unless it is already set (or ``overwrite``) or the value does not
        fit the field's declared type; True if set."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return False
        if not overwrite and self.get(path) not in (None, [], ""):
            return False
        value, error = self.check(path, value)
        if error is not None:
            log.warning("value for %s rejected (%s): %r", path, error, value)
            return False
        obj, last = self._parent(path)
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


@lru_cache(maxsize=256)
def _field_adapter(model: type[BaseModel], name: str) -> TypeAdapter | None:
    info = model.model_fields.get(name)
    if info is None:
        return None
    ann = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
    return TypeAdapter(ann)


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
