"""One representation for PDF text runs and OCR boxes, grouped into rows and page text with offsets.

A :class:`Segment` is a piece of text with its box (x0, y0, x1, y1; y grows downwards) on a
1-based page. :func:`build_page` groups segments into visual rows (vertical overlap) in reading
order and lays them out as page text (touching segments joined directly, separated ones by a space, rows by a newline), keeping
each segment's character span so any span of page text maps back to a box for provenance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SegmentSource = Literal["text", "ocr"]
BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Segment:
    """A text run (PDF) or OCR box."""

    text: str
    bbox: BBox
    page: int
    source: SegmentSource = "text"

    @property
    def x0(self) -> float:
        return self.bbox[0]

    @property
    def x1(self) -> float:
        return self.bbox[2]

    @property
    def top(self) -> float:
        return self.bbox[1]

    @property
    def bottom(self) -> float:
        return self.bbox[3]

    @property
    def cx(self) -> float:
        return (self.bbox[0] + self.bbox[2]) / 2

    @property
    def cy(self) -> float:
        return (self.bbox[1] + self.bbox[3]) / 2

    @property
    def height(self) -> float:
        return self.bbox[3] - self.bbox[1]


@dataclass
class Row:
    """Segments on one visual line, left to right; ``start`` is the row's offset in the page text."""

    segments: list[Segment]
    start: int = 0
    spans: list[tuple[int, int]] = field(default_factory=list)  # per segment, page-text offsets

    @property
    def text(self) -> str:
        return "".join(sep + s.text for sep, s in zip(self.separators(), self.segments, strict=True))

    def separators(self) -> list[str]:
        """'' before the first segment and between touching segments (a run split by character
        spacing), ' ' where there is a visible gap."""
        out = [""]
        for a, b in zip(self.segments, self.segments[1:], strict=False):
            h = max(a.height, b.height) or 1.0
            out.append(" " if b.x0 - a.x1 > 0.5 * h else "")
        return out

    def gaps(self) -> list[float]:
        """Gap before each segment in units of line height (0 for the first)."""
        out = [0.0]
        for a, b in zip(self.segments, self.segments[1:], strict=False):
            h = max(a.height, b.height) or 1.0
            out.append((b.x0 - a.x1) / h)
        return out

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def top(self) -> float:
        return min(s.top for s in self.segments)

    @property
    def bottom(self) -> float:
        return max(s.bottom for s in self.segments)

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class PageLayout:
    """A page's rows and its text; ``width``/``height`` in the segments' unit."""

    number: int
    rows: list[Row]
    text: str
    width: float
    height: float
    source: SegmentSource

    def bbox_of(self, start: int, end: int) -> BBox | None:
        """The union box of the segments overlapping page-text span [start, end)."""
        boxes = [
            seg.bbox
            for row in self.rows
            if row.start < end and start < row.end
            for seg, (s, e) in zip(row.segments, row.spans, strict=True)
            if s < end and start < e
        ]
        if not boxes:
            return None
        return (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )

    def row_at(self, offset: int) -> Row | None:
        for row in self.rows:
            if row.start <= offset <= row.end:
                return row
        return None


def group_rows(segments: list[Segment], overlap: float = 0.5) -> list[Row]:
    """Segments grouped into rows: a segment joins a row when it overlaps the row's vertical band by
    more than ``overlap`` of the smaller height; rows top to bottom, segments left to right."""
    rows: list[list[Segment]] = []
    bands: list[tuple[float, float]] = []
    for seg in sorted(segments, key=lambda s: (s.cy, s.x0)):
        placed = False
        for i in range(len(rows) - 1, max(-1, len(rows) - 4), -1):
            # the row's first band, or any member of about the same height (a small mark such as a
            # margin character that opened the row must not keep the row's real cells out)
            cands = [bands[i], *((m.top, m.bottom) for m in rows[i]
                                 if 0.7 * seg.height <= m.height <= 1.4 * seg.height)]
            if any((min(bottom, seg.bottom) - max(top, seg.top)) / (min(bottom - top, seg.height) or 1.0) > overlap
                   for top, bottom in cands):
                rows[i].append(seg)
                # keep the band of the row's first (dominant) height so a tall box doesn't swallow rows
                placed = True
                break
        if not placed:
            rows.append([seg])
            bands.append((seg.top, seg.bottom))
    rows_sorted = sorted(rows, key=lambda r: min(s.top for s in r) + max(s.bottom for s in r))
    return [Row(sorted(r, key=lambda s: s.x0)) for r in rows_sorted]


def build_page(
    segments: list[Segment], number: int, width: float, height: float, source: SegmentSource
) -> PageLayout:
    """Rows and page text (with per-segment offsets) for one page.

    Oversized text — a stamp or watermark such as a large 作废 across the face — is kept out of the
    normal rows (it would merge into table cells) and laid out as rows of its own after them.
    """
    segments = [s for s in segments if s.text.strip()]
    heights = sorted(s.height for s in segments)
    limit = 3.0 * heights[len(heights) // 2] if len(heights) >= 5 else float("inf")
    rows = group_rows([s for s in segments if s.height <= limit])
    rows += [Row([s]) for s in sorted(segments, key=lambda s: (s.top, s.x0)) if s.height > limit]
    parts: list[str] = []
    offset = 0
    for row in rows:
        row.start = offset
        pos = offset
        row.spans = []
        for sep, seg in zip(row.separators(), row.segments, strict=True):
            pos += len(sep)
            row.spans.append((pos, pos + len(seg.text)))
            pos += len(seg.text)
        parts.append(row.text)
        offset = pos + 1
    return PageLayout(number, rows, "\n".join(parts), width, height, source)


@dataclass
class DocLayout:
    """All pages of one document."""

    pages: list[PageLayout]

    @property
    def text(self) -> str:
        return "\n\f\n".join(p.text for p in self.pages)

    def rows(self) -> list[tuple[PageLayout, Row]]:
        """Every row of every page, in reading order."""
        return [(p, r) for p in self.pages for r in p.rows]
