"""Shared helpers for the unseen-document generator: identifiers, money, pools, drawing.

Written independently of the project's extractor (see README.md).
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

# --------------------------------------------------------------------------- fonts
FONT_FILES = {
    "ZenHei": "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "UMing": "/usr/share/fonts/truetype/arphic/uming.ttc",
    "UKai": "/usr/share/fonts/truetype/arphic/ukai.ttc",
}
_FONTS_DONE = False


def register_fonts() -> None:
    global _FONTS_DONE
    if _FONTS_DONE:
        return
    for name, path in FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
    _FONTS_DONE = True


# --------------------------------------------------------------------------- identifiers
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_W = [pow(3, i, 31) for i in range(17)]
ORG_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ORG_W = [3, 7, 9, 10, 5, 8, 4, 2]
AREA_CODES = {
    "苏州": "320505", "无锡": "320214", "南京": "320115", "常州": "320411", "南通": "320612",
    "杭州": "330108", "宁波": "330212", "上海": "310115", "合肥": "340104", "济南": "370112",
    "佛山": "440606", "东莞": "441900", "成都": "510107", "武汉": "420106", "郑州": "410105",
    "厦门": "350206", "青岛": "370212", "长沙": "430104", "天津": "120116", "西安": "610113",
    "昆明": "530102", "南宁": "450103", "贵阳": "520115", "南昌": "360111", "福州": "350102",
    "石家庄": "130104", "太原": "140105", "沈阳": "210106", "哈尔滨": "230103", "兰州": "620102",
}
PROVINCE4 = {"苏州": "3200", "无锡": "3200", "南京": "3200", "常州": "3200", "南通": "3200",
             "杭州": "3300", "宁波": "3302", "上海": "3100", "合肥": "3400", "济南": "3700",
             "佛山": "4400", "东莞": "4400", "成都": "5100", "武汉": "4200", "郑州": "4100",
             "厦门": "3502", "青岛": "3702", "长沙": "4300", "天津": "1200", "西安": "6100",
             "昆明": "5300", "南宁": "4500", "贵阳": "5200", "南昌": "3600", "福州": "3500",
             "石家庄": "1300", "太原": "1400", "沈阳": "2100", "哈尔滨": "2300", "兰州": "6200"}


def org_code(rng) -> str:
    body_chars = "0123456789" * 3 + "ABCDEFGHJKLMNPQRTUWXY"
    while True:
        body = "".join(rng.choice(body_chars) for _ in range(8))
        s = sum(ORG_CHARS.index(ch) * w for ch, w in zip(body, ORG_W))
        c = 11 - s % 11
        chk = "X" if c == 10 else "0" if c == 11 else str(c)
        return body + chk


def uscc(rng, city: str) -> str:
    base = "91" + AREA_CODES.get(city, "320505") + org_code(rng)
    s = sum(USCC_CHARS.index(ch) * w for ch, w in zip(base, USCC_W))
    return base + USCC_CHARS[(31 - s % 31) % 31]


def luhn_complete(prefix: str) -> str:
    digits = [int(d) for d in prefix + "0"]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return prefix + str((10 - total % 10) % 10)


# --------------------------------------------------------------------------- money
CN_DIG = "零壹贰叁肆伍陆柒捌玖"


def q2(x) -> Decimal:
    return Decimal(x).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _four(n: int) -> str:
    """0 < n < 10000 → 大写 with internal zeros collapsed."""
    units = ["仟", "佰", "拾", ""]
    s = f"{n:04d}"
    out, zero = [], False
    started = False
    for d, u in zip(s, units):
        if d == "0":
            if started:
                zero = True
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(CN_DIG[int(d)] + u)
        started = True
    return "".join(out)


def rmb_upper(amount, yuan: str = "元") -> str:
    """Canonical 中文大写金额 per PBOC rules (元 ends with 整; 角0分x → 零x分)."""
    a = q2(amount)
    neg = a < 0
    a = abs(a)
    cents = int((a * 100).to_integral_value())
    integer, frac = divmod(cents, 100)
    jiao, fen = divmod(frac, 10)
    parts = []
    if integer:
        groups = []
        n = integer
        while n:
            groups.append(n % 10000)
            n //= 10000
        names = ["", "万", "亿", "万亿"]
        out = ""
        need_zero = False
        for gi in range(len(groups) - 1, -1, -1):
            g = groups[gi]
            if g == 0:
                need_zero = True
                continue
            if out and (need_zero or g < 1000):
                out += "零"
            out += _four(g) + names[gi]
            need_zero = False
        parts.append(out + yuan)
    if jiao == 0 and fen == 0:
        parts.append("整")
    else:
        if jiao:
            parts.append(CN_DIG[jiao] + "角")
        elif integer:
            parts.append("零")
        if fen:
            parts.append(CN_DIG[fen] + "分")
    s = "".join(parts) or ("零" + yuan + "整")
    return ("负" + s) if neg else s


def money(x, comma=False) -> str:
    v = q2(x)
    return f"{v:,.2f}" if comma else f"{v:.2f}"


def fmt_date(d: dt.date, style: int) -> str:
    if style == 0:
        return f"{d.year}年{d.month:02d}月{d.day:02d}日"
    if style == 1:
        return d.isoformat()
    if style == 2:
        return f"{d.year}年{d.month}月{d.day}日"
    if style == 3:
        return f"{d.year}/{d.month:02d}/{d.day:02d}"
    if style == 4:
        return f"{d.year}.{d.month:02d}.{d.day:02d}"
    return f"{d.year}{d.month:02d}{d.day:02d}"


def dec_str(x) -> str:
    """Decimal → plain string without exponent, trailing zeros kept as given."""
    return format(Decimal(x), "f")


# --------------------------------------------------------------------------- drawing
class Pg:
    """Top-left-origin drawing helper in millimetres over a reportlab canvas."""

    def __init__(self, c, width_mm: float, height_mm: float, font: str = "ZenHei"):
        self.c = c
        self.W = width_mm
        self.H = height_mm
        self.font = font

    def _y(self, y):
        return (self.H - y) * mm

    def color(self, rgb=(0, 0, 0)):
        self.c.setFillColorRGB(*rgb)
        self.c.setStrokeColorRGB(*rgb)

    def width(self, s, size, font=None):
        return pdfmetrics.stringWidth(s, font or self.font, size) / mm

    def text(self, x, y, s, size=10, font=None, anchor="l", color=None, maxw=None):
        s = str(s)
        f = font or self.font
        if maxw:
            w = self.width(s, size, f)
            if w > maxw:
                size = max(4.5, size * maxw / w)
        if color:
            self.c.setFillColorRGB(*color)
        self.c.setFont(f, size)
        if anchor == "l":
            self.c.drawString(x * mm, self._y(y), s)
        elif anchor == "c":
            self.c.drawCentredString(x * mm, self._y(y), s)
        else:
            self.c.drawRightString(x * mm, self._y(y), s)
        if color:
            self.c.setFillColorRGB(0, 0, 0)
        return size

    def spaced(self, x, y, s, size, gap, font=None, color=None, anchor="c"):
        """Title text with letter spacing (centred on x)."""
        f = font or self.font
        total = sum(self.width(ch, size, f) for ch in s) + gap * (len(s) - 1)
        cx = x - total / 2 if anchor == "c" else x
        for ch in s:
            self.text(cx, y, ch, size, f, color=color)
            cx += self.width(ch, size, f) + gap

    def line(self, x1, y1, x2, y2, w=0.6, color=None):
        if color:
            self.c.setStrokeColorRGB(*color)
        self.c.setLineWidth(w)
        self.c.line(x1 * mm, self._y(y1), x2 * mm, self._y(y2))
        if color:
            self.c.setStrokeColorRGB(0, 0, 0)

    def rect(self, x, y, w, h, lw=0.6, color=None, fill=None):
        if color:
            self.c.setStrokeColorRGB(*color)
        if fill:
            self.c.setFillColorRGB(*fill)
        self.c.setLineWidth(lw)
        self.c.rect(x * mm, self._y(y + h), w * mm, h * mm, stroke=1 if lw else 0, fill=1 if fill else 0)
        self.c.setStrokeColorRGB(0, 0, 0)
        self.c.setFillColorRGB(0, 0, 0)

    def cell(self, x, y, w, h, s, size=9, align="l", font=None, color=None, pad=1.2, wrap=False):
        """Text vertically centred in the cell [x,x+w]×[y,y+h]; shrinks (or wraps 2 lines) to fit."""
        s = "" if s is None else str(s)
        if not s:
            return
        f = font or self.font
        avail = w - 2 * pad
        tw = self.width(s, size, f)
        if wrap and tw > avail and len(s) > 6:
            # split into two lines
            cut = len(s) // 2
            for k in range(len(s)):
                if self.width(s[:k], size, f) > avail:
                    cut = k - 1
                    break
            l1, l2 = s[:cut], s[cut:]
            sz = size
            if self.width(l2, sz, f) > avail:
                sz = max(4.5, sz * avail / self.width(l2, sz, f))
            lh = sz * 0.3528 * 1.15
            base = y + h / 2 - lh / 2 + sz * 0.3528 * 0.35
            self._cell_line(x, base, w, l1, sz, align, f, color, pad)
            self._cell_line(x, base + lh, w, l2, sz, align, f, color, pad)
            return
        if tw > avail:
            size = max(4.5, size * avail / tw)
        base = y + h / 2 + size * 0.3528 * 0.36
        self._cell_line(x, base, w, s, size, align, f, color, pad)

    def _cell_line(self, x, base, w, s, size, align, f, color, pad):
        if align == "l":
            self.text(x + pad, base, s, size, f, color=color)
        elif align == "c":
            self.text(x + w / 2, base, s, size, f, anchor="c", color=color)
        else:
            self.text(x + w - pad, base, s, size, f, anchor="r", color=color)

    def table(self, x, y, widths, rows, row_h=7, size=9, aligns=None, header_rows=1, grid=True,
              lw=0.5, header_fill=None, color=None, outer=True, wrap_cols=()):
        """Draw a grid table; rows is a list of lists of str. Returns the bottom y."""
        total_w = sum(widths)
        cy = y
        for ri, row in enumerate(rows):
            if header_fill and ri < header_rows:
                self.rect(x, cy, total_w, row_h, lw=0, fill=header_fill)
            cx = x
            for ci, val in enumerate(row):
                al = "c" if ri < header_rows else (aligns[ci] if aligns else "l")
                tc = color if ri < header_rows else None
                self.cell(cx, cy, widths[ci], row_h, val, size, al, color=tc, wrap=ci in wrap_cols)
                cx += widths[ci]
            cy += row_h
        if grid:
            for i in range(len(rows) + 1):
                if 0 < i < len(rows) or outer:
                    self.line(x, y + i * row_h, x + total_w, y + i * row_h, lw, color)
            cx = x
            for i in range(len(widths) + 1):
                if 0 < i < len(widths) or outer:
                    self.line(cx, y, cx, y + row_h * len(rows), lw, color)
                if i < len(widths):
                    cx += widths[i]
        return cy

    def seal(self, cx, cy, r, name, center="合同专用章", color=(0.85, 0.1, 0.1), oval=False, font=None,
             alpha=0.75, number=None):
        """A red company seal: outer ring, arc text, star, bottom label. Drawn semi-transparent."""
        c = self.c
        c.saveState()
        try:
            c.setFillAlpha(alpha)
            c.setStrokeAlpha(alpha)
        except Exception:
            pass
        c.setStrokeColorRGB(*color)
        c.setFillColorRGB(*color)
        X, Y = cx * mm, self._y(cy)
        R = r * mm
        sx = 1.0
        sy = 0.68 if oval else 1.0
        c.translate(X, Y)
        c.scale(sx, sy)
        c.setLineWidth(1.6 if not oval else 1.3)
        c.circle(0, 0, R, stroke=1, fill=0)
        if not oval:
            c.setLineWidth(0.4)
            c.circle(0, 0, R * 0.93, stroke=1, fill=0)
        f = font or "ZenHei"
        n = len(name)
        span = 250 if n > 8 else 200
        arc = R * 0.74 * math.radians(span)
        fs = max(5.0, min(arc / max(n, 1) * 0.9, R * 0.3))
        start = 90 + span / 2
        for i, ch in enumerate(name):
            ang = start - (span * (i + 0.5) / n)
            c.saveState()
            c.rotate(ang)
            c.translate(R * 0.74, 0)
            c.rotate(-90)
            c.setFont(f, fs)
            c.drawCentredString(0, 0, ch)
            c.restoreState()
        if not oval:
            # star
            p = c.beginPath()
            rs = R * 0.28
            for k in range(10):
                rr = rs if k % 2 == 0 else rs * 0.4
                a = math.radians(90 + k * 36)
                px, py = rr * math.cos(a), rr * math.sin(a)
                if k == 0:
                    p.moveTo(px, py)
                else:
                    p.lineTo(px, py)
            p.close()
            c.drawPath(p, stroke=0, fill=1)
            c.setFont(f, fs * 0.95)
            c.drawCentredString(0, -R * 0.58, center)
        else:
            if number:
                c.setFont("Helvetica", fs * 0.9)
                c.drawCentredString(0, -R * 0.12, number)
            c.setFont(f, fs)
            c.drawCentredString(0, -R * 0.62, center)
        c.restoreState()


def wrap_text(pg: Pg, s: str, size: float, maxw: float, font=None):
    lines, cur = [], ""
    for ch in s:
        if pg.width(cur + ch, size, font) > maxw:
            lines.append(cur)
            cur = ch
        else:
            cur += ch
    if cur:
        lines.append(cur)
    return lines


def paragraph(pg: Pg, x, y, s, size=10, maxw=170, lead=1.55, font=None, indent=True):
    """Draws a wrapped paragraph, returns next y."""
    lh = size * 0.3528 * lead
    text = ("\u3000\u3000" + s) if indent else s
    for ln in wrap_text(pg, text, size, maxw, font):
        pg.text(x, y, ln, size, font)
        y += lh
    return y
