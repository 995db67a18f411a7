"""Turn a rendered PDF into a degraded "scan": image(s) or an image-only PDF, deterministic for a seed.

Degradations: small rotation (±0–2°), slight blur, gaussian noise, optional contrast change / paper tint /
greyscale, JPEG artefacts (quality 55–80).
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageChops, ImageEnhance, ImageFilter

from xiaoyin.core.concurrency import PDFIUM


@dataclass(frozen=True)
class ScanParams:
    angle: float
    blur: float
    noise: float
    quality: int
    contrast: float
    tint: tuple[int, int, int] | None
    grey: bool

    @classmethod
    def draw(cls, seed: int) -> ScanParams:
        r = random.Random(seed)
        return cls(
            angle=r.uniform(-2.0, 2.0), blur=r.uniform(0.2, 0.7), noise=r.uniform(3.0, 9.0),
            quality=r.randint(55, 80), contrast=r.uniform(0.85, 1.1),
            tint=(r.randint(238, 252), r.randint(232, 248), r.randint(215, 240)) if r.random() < 0.4 else None,
            grey=r.random() < 0.4,
        )


def render_pages(pdf: bytes, dpi: int) -> list[Image.Image]:
    """Rasterise every page of a PDF at ``dpi``."""
    with PDFIUM:
        doc = pdfium.PdfDocument(pdf)
        images = []
        try:
            for i in range(len(doc)):
                page = doc[i]
                bitmap = page.render(scale=dpi / 72)
                images.append(bitmap.to_pil().convert("RGB"))
                bitmap.close()
                page.close()
            return images
        finally:
            doc.close()


def degrade(img: Image.Image, seed: int) -> Image.Image:
    """Apply the seeded scanner/photocopier degradations (returns an RGB or L image, not yet JPEG'd)."""
    p = ScanParams.draw(seed)
    if p.tint is not None:
        arr = np.asarray(img, dtype=np.float32) / 255.0
        arr = arr * np.array(p.tint, dtype=np.float32)
        img = Image.fromarray(arr.clip(0, 255).astype(np.uint8))
    if p.grey:
        img = img.convert("L")
    fill = (sum(p.tint) // 3 if p.grey else p.tint) if p.tint else (255 if p.grey else (255, 255, 255))
    img = img.rotate(p.angle, resample=Image.Resampling.NEAREST, expand=True, fillcolor=fill)
    img = img.filter(ImageFilter.BoxBlur(p.blur + 0.3))
    img = ImageEnhance.Contrast(img).enhance(p.contrast)
    # sensor noise: a seeded 256x256 gaussian tile repeated over the page (cheap, deterministic)
    tile = np.rint(np.random.default_rng(seed).standard_normal((256, 256), dtype=np.float32) * p.noise)
    w, h = img.size
    noise = np.tile(tile.astype(np.int16), (h // 256 + 1, w // 256 + 1))[:h, :w]
    pos = Image.fromarray(noise.clip(0, 255).astype(np.uint8))
    neg = Image.fromarray((-noise).clip(0, 255).astype(np.uint8))
    if img.mode == "RGB":
        pos, neg = Image.merge("RGB", (pos,) * 3), Image.merge("RGB", (neg,) * 3)
    return ImageChops.subtract(ImageChops.add(img, pos), neg)


def _jpeg(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, optimize=False)
    return buf.getvalue()


def scan_images(pdf: bytes, seed: int, dpi: int = 200, fmt: str = "jpg") -> list[bytes]:
    """One degraded image per page, as JPEG (``fmt="jpg"``) or PNG of the JPEG-damaged pixels."""
    out = []
    for i, page in enumerate(render_pages(pdf, dpi)):
        p = ScanParams.draw(seed + i)
        data = _jpeg(degrade(page, seed + i), p.quality)
        if fmt == "png":
            buf = io.BytesIO()
            Image.open(io.BytesIO(data)).save(buf, "PNG", compress_level=3)
            data = buf.getvalue()
        out.append(data)
    return out


def jpegs_to_pdf(jpegs: list[bytes], dpi: int) -> bytes:
    """A minimal image-only PDF embedding the JPEG bytes unchanged (DCTDecode), one page each."""
    objs: list[bytes] = [b"", b""]  # 1 catalog, 2 pages: filled in below
    kids = []
    for jpg in jpegs:
        img = Image.open(io.BytesIO(jpg))
        (pw, ph), cs = img.size, ("DeviceGray" if img.mode == "L" else "DeviceRGB")
        w, h = pw * 72 / dpi, ph * 72 / dpi
        im_no, content_no, page_no = len(objs) + 1, len(objs) + 2, len(objs) + 3
        objs.append(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /%s /BitsPerComponent 8 "
                    b"/Filter /DCTDecode /Length %d >>\nstream\n%s\nendstream" % (pw, ph, cs.encode(), len(jpg), jpg))
        draw = b"q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q" % (w, h)
        objs.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(draw), draw))
        objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Contents %d 0 R "
                    b"/Resources << /XObject << /Im0 %d 0 R >> >> >>" % (w, h, content_no, im_no))
        kids.append(page_no)
    objs[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objs[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (i, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


def scan_pdf(pdf: bytes, seed: int, dpi: int = 200) -> bytes:
    """An image-only PDF (no text layer): each page a degraded JPEG at the original page size."""
    return jpegs_to_pdf(scan_images(pdf, seed, dpi, "jpg"), dpi)
