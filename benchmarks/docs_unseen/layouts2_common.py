"""Helpers for the heldout2 layouts (layouts 6–7): extra fonts, date styles, handwriting, bold text.

Written without seeing the extractor (see README.md). Fonts: Noto Sans CJK SC and Noto Serif CJK SC
(fonts-noto-cjk) and WenQuanYi Micro Hei (fonts-wqy-microhei). Reportlab cannot embed the PostScript (CFF)
outlines of the Noto .ttc files, so the SC face is subset (GB 2312 + every character of this folder's
sources + a few symbols) and converted to TrueType outlines with fontTools once, then cached.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

HERE = Path(__file__).resolve().parent
NOTO = {
    "NotoSans": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    "NotoSerif": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC"),
}
MICROHEI = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
EXTRA_CHARS = "¥￥〇㎡μΦ⊗×÷±№—–‘’“”…·•●○□■√①②③④⑤⑥⑦⑧⑨⑩（）：；，。、《》【】「」『』"
_DONE = False


def _charset() -> str:
    chars = {chr(c) for c in range(0x20, 0x7F)} | {chr(c) for c in range(0xA0, 0x100)} | set(EXTRA_CHARS)
    for b1 in range(0xA1, 0xF8):
        for b2 in range(0xA1, 0xFF):
            try:
                chars.add(bytes([b1, b2]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    for p in sorted(HERE.glob("*.py")):
        chars |= {ch for ch in p.read_text("utf-8") if ord(ch) >= 0x80}
    chars.add("\u3000")
    return "".join(sorted(chars))


def _convert_cff(src: str, family: str, dst: Path, chars: str) -> None:
    """Subset one face of a CFF-flavoured .ttc and rewrite it with quadratic TrueType outlines."""
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTCollection, newTable

    col = TTCollection(src)
    font = next(f for f in col.fonts if f["name"].getDebugName(1) == family)
    opts = subset.Options()
    opts.desubroutinize = True
    opts.layout_features = []
    opts.hinting = False
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    opts.drop_tables += ["vhea", "vmtx", "VORG", "GSUB", "GPOS", "GDEF", "BASE"]
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=[ord(c) for c in chars])
    sub.subset(font)
    gs = font.getGlyphSet()
    order = font.getGlyphOrder()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(gs)
        gs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    glyf.compile(font)
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for k in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements",
              "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, k, 0)
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
    font.recalcTimestamp = False  # keep the source's timestamps: the same input gives the same file
    tmp = dst.with_suffix(f".{os.getpid()}.tmp")
    font.save(str(tmp))
    tmp.replace(dst)


def ensure_fonts() -> None:
    """Registers NotoSans, NotoSerif and MicroHei with reportlab (converting the Noto faces on first use)."""
    global _DONE
    if _DONE:
        return
    cache = Path(os.environ.get("DOCS_UNSEEN_FONT_CACHE") or Path(tempfile.gettempdir()) / "docs_unseen_fonts")
    cache.mkdir(parents=True, exist_ok=True)
    chars = _charset()
    for name, (src, family) in NOTO.items():
        key = hashlib.sha256(f"{src}:{os.path.getsize(src)}:{family}:{chars}".encode()).hexdigest()[:16]
        dst = cache / f"{name}-{key}.ttf"
        if not dst.exists():
            _convert_cff(src, family, dst, chars)
        pdfmetrics.registerFont(TTFont(name, str(dst)))
    pdfmetrics.registerFont(TTFont("MicroHei", MICROHEI, subfontIndex=0))
    _DONE = True


# --------------------------------------------------------------------------- dates
CN_NUM = "〇一二三四五六七八九"


def cn_num(n: int) -> str:
    if n < 10:
        return CN_NUM[n]
    if n < 20:
        return "十" + (CN_NUM[n % 10] if n % 10 else "")
    return CN_NUM[n // 10] + "十" + (CN_NUM[n % 10] if n % 10 else "")


def date_cn(d) -> str:
    """二〇二四年五月八日"""
    return "".join(CN_NUM[int(ch)] for ch in str(d.year)) + f"年{cn_num(d.month)}月{cn_num(d.day)}日"


def date_style(d, style: str) -> str:
    if style == "cn":
        return date_cn(d)
    if style == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    if style == "slash0":
        return f"{d.year}/{d.month:02d}/{d.day:02d}"
    if style == "iso":
        return d.isoformat()
    if style == "nian":
        return f"{d.year}年{d.month}月{d.day}日"
    if style == "nian0":
        return f"{d.year}年{d.month:02d}月{d.day:02d}日"
    if style == "compact":
        return f"{d.year}{d.month:02d}{d.day:02d}"
    if style == "dot":
        return f"{d.year}.{d.month}.{d.day}"
    raise ValueError(style)


# --------------------------------------------------------------------------- drawing extras
def bold(pg, x, y, s, size, font=None, anchor="l", color=(0, 0, 0), stroke=0.35):
    """Fake-bold text (fill + thin stroke), as office software does for fonts without a bold face."""
    f = font or pg.font
    w = pg.width(s, size, f)
    x0 = x if anchor == "l" else (x - w / 2 if anchor == "c" else x - w)
    c = pg.c
    c.saveState()
    c.setFillColorRGB(*color)
    c.setStrokeColorRGB(*color)
    c.setLineWidth(stroke)
    t = c.beginText()
    t.setTextRenderMode(2)
    t.setFont(f, size)
    t.setTextOrigin(x0 * mm, pg._y(y))
    t.textOut(s)
    c.drawText(t)
    c.restoreState()


def hand(pg, x, y, s, size=11, rng=None, color=(0.08, 0.12, 0.45), font="UKai", anchor="l"):
    """Handwritten-looking value: ballpoint blue, slightly rotated and off the baseline."""
    ang = rng.uniform(-2.0, 2.0) if rng else 0.0
    dy = rng.uniform(-0.6, 0.6) if rng else 0.0
    w = pg.width(s, size, font)
    x0 = x if anchor == "l" else (x - w / 2 if anchor == "c" else x - w)
    c = pg.c
    c.saveState()
    c.translate(x0 * mm, pg._y(y + dy))
    c.rotate(ang)
    c.setFillColorRGB(*color)
    c.setFont(font, size)
    c.drawString(0, 0, s)
    c.restoreState()


def dashed(pg, x1, y1, x2, y2, w=0.4, dash=(3, 2), color=(0.5, 0.5, 0.5)):
    c = pg.c
    c.saveState()
    c.setDash(*dash)
    c.setStrokeColorRGB(*color)
    c.setLineWidth(w)
    c.line(x1 * mm, pg._y(y1), x2 * mm, pg._y(y2))
    c.restoreState()


def rect_stamp(pg, cx, cy, lines, size=9, color=(0.82, 0.12, 0.12), font="NotoSans", angle=0.0, alpha=0.7):
    """A rectangular rubber stamp (e.g. a receiving stamp) with one to three lines of text."""
    c = pg.c
    w = max(pg.width(s, size, font) for s in lines) + 6
    h = len(lines) * size * 0.3528 * 1.45 + 4
    c.saveState()
    try:
        c.setFillAlpha(alpha)
        c.setStrokeAlpha(alpha)
    except Exception:
        pass
    c.translate(cx * mm, pg._y(cy))
    c.rotate(angle)
    c.setStrokeColorRGB(*color)
    c.setFillColorRGB(*color)
    c.setLineWidth(1.4)
    c.rect(-w / 2 * mm, -h / 2 * mm, w * mm, h * mm, stroke=1, fill=0)
    c.setLineWidth(0.5)
    c.rect((-w / 2 + 0.9) * mm, (-h / 2 + 0.9) * mm, (w - 1.8) * mm, (h - 1.8) * mm, stroke=1, fill=0)
    lh = size * 0.3528 * 1.45
    top = h / 2 - 2 - size * 0.3528
    for i, s in enumerate(lines):
        c.setFont(font, size)
        c.drawCentredString(0, (top - i * lh) * mm, s)
    c.restoreState()


def group4(s: str) -> str:
    """Account number printed in groups of four digits."""
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))


def party(p, fields):
    return {f: p[f] for f in fields if p.get(f)}
