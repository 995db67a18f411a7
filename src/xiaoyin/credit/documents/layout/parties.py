"""Which party a value belongs to when two parties share labels (付款人 / 收款人 on a bank receipt).

Label keys are ``role`` (a role word alone: ``付款人``), ``role.field`` (``付款人账号``) or ``field``
(``账号``, shared by both parties). A shared field's value gets its role, in this order, from:

1. the label printed with it: a row label or column header (``付款人 | A | 123`` under ``户名 | 账号``);
2. the role anchors (role words, and the single characters of a role printed vertically, 付/款/人):
   when the two roles stand side by side (on the nearest row above the value that holds both, else
   everywhere), the value's x decides (left or right of the midline between the anchors); when they
   are stacked, the last anchor above the value does;
3. otherwise the order of appearance: the first value of a field is the first role's, the next the
   second role's (payer before payee, left before right).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .kv import KV
from .segments import DocLayout, PageLayout


@dataclass(frozen=True)
class Anchor:
    role: str
    page: PageLayout
    offset: int  # page-text offset of the row (reading order)
    x0: float
    x1: float


@dataclass
class PartyValue:
    """A value assigned to ``role.field``."""

    role: str
    field: str
    kv: KV


def split_key(key: str, roles: tuple[str, ...]) -> tuple[str | None, str | None]:
    """``'payer.account'`` → (payer, account); ``'payer'`` → (payer, None); ``'account'`` → (None, account)."""
    if "." in key:
        r, f = key.split(".", 1)
        return (r, f) if r in roles else (None, key)
    return (key, None) if key in roles else (None, key)


def anchors(layout: DocLayout, kvs: list[KV], roles: tuple[str, ...], chars: dict[str, str]) -> list[Anchor]:
    """Role anchors: role labels (with or without a value) and lone role characters (``chars``: 付 → payer)."""
    out = []
    for kv in kvs:
        role, _ = split_key(kv.key, roles)
        if role is None and kv.above and kv.row_key:
            role, _ = split_key(kv.row_key, roles)
        if role is not None and not kv.above:
            out.append(Anchor(role, kv.page, kv.row.start, kv.x, _label_x1(kv)))
    for page in layout.pages:
        for row in page.rows:
            for seg in row.segments:
                t = re.sub(r"\s", "", seg.text)
                if t in chars:
                    out.append(Anchor(chars[t], page, row.start, seg.x0, seg.x1))
    return out


def _label_x1(kv: KV) -> float:
    return kv.x0 if kv.value else kv.x1


def _side_by_side(anc: list[Anchor], roles: tuple[str, ...], width: float) -> tuple[str, float] | None:
    """(role on the left, split x) when the roles' anchors stand in separate columns."""
    a = [x for x in anc if x.role == roles[0]]
    b = [x for x in anc if x.role == roles[1]]
    if not a or not b or not {(x.page.number, x.offset) for x in a} & {(x.page.number, x.offset) for x in b}:
        return None  # side by side means both roles on one row somewhere
    margin = 0.08 * width
    if max(x.x1 for x in a) < min(x.x0 for x in b) - margin / 4 and \
            max((x.x0 + x.x1) / 2 for x in a) < min((x.x0 + x.x1) / 2 for x in b) - margin:
        return roles[0], (max(x.x1 for x in a) + min(x.x0 for x in b)) / 2
    if max(x.x1 for x in b) < min(x.x0 for x in a) - margin / 4 and \
            max((x.x0 + x.x1) / 2 for x in b) < min((x.x0 + x.x1) / 2 for x in a) - margin:
        return roles[1], (max(x.x1 for x in b) + min(x.x0 for x in a)) / 2
    return None


def assign(layout: DocLayout, kvs: list[KV], roles: tuple[str, str], fields: tuple[str, ...],
           chars: dict[str, str] | None = None, name_field: str = "name") -> list[PartyValue]:
    """Role and field for every party value among ``kvs`` (see the module doc), in reading order."""
    anc = anchors(layout, kvs, roles, chars or {})
    width = layout.pages[0].width if layout.pages else 1000.0
    side = _side_by_side(anc, roles, width)
    pairs = _pair_rows(anc, roles, width)
    seen: dict[str, int] = {}
    out: list[PartyValue] = []
    for kv in kvs:
        if not kv.value:
            continue
        role, fld = split_key(kv.key, roles)
        if kv.above and kv.row_key:
            r2, f2 = split_key(kv.row_key, roles)
            if role is None and r2 is not None:
                role, fld = r2, fld or f2
            elif fld is None and f2 is not None:
                fld = f2
            elif r2 is None and role is None:
                continue  # a row label that is not a party field (用途 | 货款) under party columns
        if role is not None and fld is None:
            fld = name_field
        if fld not in fields:
            continue
        if role is None:
            role = _by_anchor(kv, anc, _mirrored(kv, kvs, anc, roles, pairs) or side, roles, pairs)
        if role is None:
            n = seen.get(fld, 0)
            role = roles[min(n, 1)]
        seen[fld] = seen.get(fld, 0) + 1
        out.append(PartyValue(role, fld, kv))
    return out


def _pair_rows(anc: list[Anchor], roles: tuple[str, str], width: float) -> list[tuple[Anchor, tuple[str, float]]]:
    """Rows where both roles stand side by side (``出卖人 | 买受人`` over a two-column party table), with the
    left role and the split x of that row; in reading order."""
    out = []
    rows: dict[tuple[int, int], list[Anchor]] = {}
    for a in anc:
        rows.setdefault((a.page.number, a.offset), []).append(a)
    for key in sorted(rows):
        side = _side_by_side(rows[key], roles, width)
        if side is not None:
            out.append((rows[key][0], side))
    return out


def _mirrored(kv: KV, kvs: list[KV], anc: list[Anchor], roles: tuple[str, str],
              pairs: list[tuple[Anchor, tuple[str, float]]]) -> tuple[str, float] | None:
    """(left role, split x) when ``kv``'s label is printed twice in its row (``电话 | A | 电话 | B``): one
    party per half, the second label starting the right half. The left role is the one a row of both
    roles above says, else the role the document names first (甲方 before 乙方, 出卖人 before 买受人)."""
    if kv.above:
        return None
    xs = sorted({(k.label_start, k.x) for k in kvs if k.row is kv.row and k.key == kv.key and not k.above})
    if len(xs) != 2:
        return None
    above = [s for a, s in pairs if a.page is kv.page and a.offset <= kv.row.start]
    if above:
        left = above[-1][0]
    elif anc:
        left = min(anc, key=lambda a: (a.page.number, a.offset, a.x0)).role
    else:
        left = roles[0]
    return left, xs[1][1] - 1.0


def _by_anchor(kv: KV, anc: list[Anchor], side: tuple[str, float] | None, roles: tuple[str, str],
               pairs: list[tuple[Anchor, tuple[str, float]]] | None = None) -> str | None:
    above = [s for a, s in pairs or [] if a.page is kv.page and a.offset <= kv.row.start]
    if above:  # under a row of both roles side by side: the nearest such row decides by x
        side = above[-1]
    if side is not None:
        left, split = side
        right = roles[1] if left == roles[0] else roles[0]
        x = kv.x0 if abs(kv.x0 - split) > 20 else (kv.x0 + kv.x1) / 2  # starting at the midline: its centre
        return left if x < split else right
    before = [a for a in anc if a.page is kv.page and a.offset <= kv.row.start]
    return before[-1].role if before else None
