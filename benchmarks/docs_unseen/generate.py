#!/usr/bin/env python
"""Independent generator of synthetic financing applications (contracts, VAT invoices, delivery notes,
bank receipts) with ground truth, for benchmarking the document extractor on layouts it has never seen.

Usage:
    generate.py --out DIR --applications N --seed S --split dev|heldout|heldout2 [--kinds text,scan] [--scan-dpi 200]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # keep the benchmark folder free of __pycache__
sys.path.insert(0, str(HERE))

import layouts2_contract  # noqa: E402
import layouts2_delivery  # noqa: E402
import layouts2_invoice  # noqa: E402
import layouts2_receipt  # noqa: E402
import layouts_contract  # noqa: E402
import layouts_delivery  # noqa: E402
import layouts_invoice  # noqa: E402
import layouts_receipt  # noqa: E402
import numpy as np  # noqa: E402
import pypdfium2 as pdfium  # noqa: E402
from common import register_fonts  # noqa: E402
from PIL import Image, ImageEnhance, ImageFilter  # noqa: E402
from pools import Companies  # noqa: E402
from scenario import FLAGS, Numbers, build_application  # noqa: E402

ALL_LAYOUTS = {  # layouts 6–7 (split heldout2) live in layouts2_*.py
    "vat_invoice": layouts_invoice.LAYOUTS + layouts2_invoice.LAYOUTS,
    "contract": layouts_contract.LAYOUTS + layouts2_contract.LAYOUTS,
    "delivery_note": layouts_delivery.LAYOUTS + layouts2_delivery.LAYOUTS,
    "payment_receipt": layouts_receipt.LAYOUTS + layouts2_receipt.LAYOUTS,
}
MULTI_PAGE = {"inv5_paper_with_list", "con5_sales_2page", "inv6_digital_paged", "con7_annex_2page"}


# --------------------------------------------------------------------------- layout choice (balanced)
class LayoutPicker:
    def __init__(self, rng, split):
        self.rng = rng
        self.split = split
        self.bags: dict[str, list] = {}

    def __call__(self, doc_type):
        bag = self.bags.get(doc_type)
        if not bag:
            bag = [m for m in ALL_LAYOUTS[doc_type] if m["split"] == self.split]
            bag = bag[:]
            self.rng.shuffle(bag)
            self.bags[doc_type] = bag
        return bag.pop()


# --------------------------------------------------------------------------- scans
def render_pages(pdf_path: Path, dpi: int):
    doc = pdfium.PdfDocument(str(pdf_path))
    imgs = [doc[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(doc))]
    doc.close()
    return imgs


def degrade(img: Image.Image, rng: random.Random) -> Image.Image:
    nrng = np.random.default_rng(rng.randrange(1 << 30))
    # paper margin, as if placed on a scanner bed
    pad = rng.randint(8, 40)
    bg = Image.new("RGB", (img.width + 2 * pad, img.height + 2 * pad), (250, 250, 248))
    bg.paste(img, (pad + rng.randint(-5, 5), pad + rng.randint(-5, 5)))
    img = bg.rotate(rng.uniform(-1.5, 1.5), resample=Image.BICUBIC, expand=False, fillcolor=(238, 238, 235))
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.9)))
    img = ImageEnhance.Contrast(img).enhance(rng.uniform(0.85, 1.1))
    img = ImageEnhance.Brightness(img).enhance(rng.uniform(0.93, 1.04))
    a = np.asarray(img).astype(np.float32)
    tint = np.array([1.0, rng.uniform(0.96, 1.0), rng.uniform(0.88, 0.98)], dtype=np.float32)
    a = a * tint + nrng.normal(0, rng.uniform(3, 9), a.shape[:2])[..., None]
    if rng.random() < 0.5:  # faint scanner streak
        x = rng.randrange(a.shape[1])
        a[:, x:x + 2] *= 0.85
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def write_scan(pdf_path: Path, out_path: Path, kind: str, rng, dpi: int):
    pages = [degrade(im, rng) for im in render_pages(pdf_path, dpi)]
    q = rng.randint(60, 85)
    if kind == "scan_pdf":
        pages[0].save(out_path, "PDF", resolution=dpi, save_all=True, append_images=pages[1:], quality=q)
    elif out_path.suffix == ".png":
        pages[0].convert("L").save(out_path, "PNG", optimize=False, compress_level=6)
    else:
        pages[0].save(out_path, "JPEG", quality=q)


# --------------------------------------------------------------------------- file names
def file_name(rng, doc_type, kind, k, full, used, date):
    ext = ".pdf" if kind in ("text_pdf", "scan_pdf") else rng.choice([".jpg", ".jpg", ".jpg", ".png"])
    ds = date.strftime("%Y%m%d")
    generic = [f"扫描件_{rng.randint(1, 40):03d}", f"附件{rng.randint(1, 9)}", f"scan{rng.randint(1, 9999):04d}",
               f"文档{rng.randint(1, 20)}", f"{rng.randint(1, 99)}"]
    if kind == "image":
        generic += [f"IMG_{ds}_{rng.randint(80000, 185959):06d}", f"微信图片_{ds}{rng.randint(80000, 185959):06d}"]
    typed = {
        "vat_invoice": [f"invoice_{k + 1}", f"发票{k + 1}", f"{full.get('number', '')}",
                        f"dzfp_{full.get('number', '')}_{full['seller']['name'][:6]}_{ds}" if "电子发票" in full.get("kind", "") else f"增值税发票{k + 1}"],
        "contract": ["合同", "购销合同扫描件", "contract", f"{full.get('number', '')}"],
        "delivery_note": [full.get("title") or "送货单", f"{full.get('title') or '入库单'}{k + 1}", f"delivery_{k + 1}", f"物流单据{k + 1}"],
        "payment_receipt": ["回单", f"电子回单_{full.get('serial', '')[:10]}", f"bank_receipt_{k + 1}", f"付款凭证{k + 1}"],
    }[doc_type]
    for _ in range(50):
        stem = rng.choice(typed) if rng.random() < 0.5 else rng.choice(generic)
        name = stem + ext
        if name not in used:
            used.add(name)
            return name
    name = f"file_{len(used) + 1}{ext}"
    used.add(name)
    return name


# --------------------------------------------------------------------------- schema check (optional)
def load_models():
    p = HERE.parents[1] / "src" / "xiaoyin" / "credit" / "documents" / "schemas.py"
    try:
        spec = importlib.util.spec_from_file_location("_unseen_schemas", p)
        mod = importlib.util.module_from_spec(spec)
        sys.modules["_unseen_schemas"] = mod
        spec.loader.exec_module(mod)
        return mod.DOC_MODELS
    except Exception as e:  # pragma: no cover
        print(f"[warn] schema check disabled: {e}", file=sys.stderr)
        return None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--applications", type=int, default=30)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--split", choices=["dev", "heldout", "heldout2"], default="dev")
    ap.add_argument("--kinds", default="text,scan")
    ap.add_argument("--scan-dpi", type=int, default=200)
    ap.add_argument("--clean-share", type=float, default=0.5)
    a = ap.parse_args(argv)
    kinds = {k.strip() for k in a.kinds.split(",") if k.strip()}
    assert kinds <= {"text", "scan"} and kinds, "--kinds takes text and/or scan"
    t0 = time.time()
    register_fonts()
    rng = random.Random(f"{a.split}:{a.seed}")
    out = Path(a.out)
    if out.exists():
        shutil.rmtree(out)
    (out / "apps").mkdir(parents=True)
    (out / "truth").mkdir()
    tmp = out / ".tmp"
    tmp.mkdir()
    models = load_models()

    n = a.applications
    pool = Companies(rng, a.split)
    companies = {"buyers": [pool.new() for _ in range(n)], "sellers": [pool.new() for _ in range(n)],
                 "others": [pool.new() for _ in range(n * 2)]}
    n_clean = round(n * a.clean_share)
    flags = []
    while len(flags) < n - n_clean:
        f = FLAGS[:]
        rng.shuffle(f)
        flags += f
    plan = [None] * n_clean + flags[: n - n_clean]
    rng.shuffle(plan)
    nums = Numbers(rng)
    picker = LayoutPicker(rng, a.split)
    dpi_hi = max(150, a.scan_dpi)
    counts = {"doc_type": Counter(), "layout": Counter(), "input_kind": Counter(), "flags": Counter(),
              "delivery_kind": Counter(), "invoice_kind": Counter()}
    for idx, flag in enumerate(plan, 1):
        sc = build_application(rng, a.split, companies, nums, idx, flag, picker)
        app = sc["app"]
        app_dir = out / "apps" / app["application_no"]
        app_dir.mkdir()
        (app_dir / "application.json").write_text(json.dumps(app, ensure_ascii=False, indent=2), "utf-8")
        docs = [("contract", 0, sc["contract"], picker("contract"))]
        docs += [("vat_invoice", k, inv, inv["layout"]) for k, inv in enumerate(sc["invoices"])]
        docs += [("delivery_note", k, nt, nt["layout"]) for k, nt in enumerate(sc["notes"])]
        docs += [("payment_receipt", k, r, r["layout"]) for k, r in enumerate(sc["receipts"])]
        rng.shuffle(docs)
        used: set[str] = set()
        truth_docs = {}
        names = {}
        for doc_type, k, full, meta in docs:
            if kinds == {"text"}:
                kind = "text_pdf"
            elif kinds == {"scan"}:
                kind = "scan_pdf" if meta["id"] in MULTI_PAGE or rng.random() < 0.4 else "image"
            else:
                r = rng.random()
                kind = "text_pdf" if r < 0.55 else ("scan_pdf" if r < 0.75 or meta["id"] in MULTI_PAGE else "image")
            pdf_tmp = tmp / f"{doc_type}_{k}.pdf"
            res = meta["fn"](str(pdf_tmp), full, rng)
            data, title = res if isinstance(res, tuple) else (res, None)
            data = {"doc_type": doc_type, **data}
            if models is not None:
                models[doc_type].model_validate(data)
            date = full.get("issue_date") or full.get("sign_date") or full.get("date")
            name = file_name(rng, doc_type, kind, k, {**full, "number": data.get("number", ""), "title": title}, used, date)
            if kind == "text_pdf":
                shutil.copy(pdf_tmp, app_dir / name)
            else:
                write_scan(pdf_tmp, app_dir / name, kind, rng, rng.choice([150, 175, dpi_hi]) if dpi_hi > 150 else 150)
            pdf_tmp.unlink()
            names[(doc_type, k)] = name
            entry = {"doc_type": doc_type, "input_kind": kind, "layout": meta["id"], "data": data}
            if title:
                entry["title"] = title
            truth_docs[name] = entry
            counts["doc_type"][doc_type] += 1
            counts["layout"][meta["id"]] += 1
            counts["input_kind"][kind] += 1
            if doc_type == "delivery_note":
                counts["delivery_kind"][f"{title}→{data['kind']}"] += 1
            if doc_type == "vat_invoice":
                counts["invoice_kind"][data["kind"]] += 1
        flags_out = []
        if flag:
            fdocs = []
            for kind_, k in sc["flag_docs"]:
                fdocs.append(names[("vat_invoice", k)] if kind_ == "inv" else names[("payment_receipt", k)])
            if flag in ("trade.goods_mismatch", "trade.party_mismatch", "trade.amount_exceeds_contract",
                        "trade.invoice_before_contract", "trade.related_parties", "trade.payee_not_counterparty"):
                fdocs.insert(0, names[("contract", 0)])
            flags_out.append({"rule_id": flag, "documents": fdocs, "note": sc["note"]})
            counts["flags"][flag] += 1
        else:
            counts["flags"]["(clean)"] += 1
        truth = {"application": app, "documents": truth_docs, "flags": flags_out}
        (out / "truth" / f"{app['application_no']}.json").write_text(json.dumps(truth, ensure_ascii=False, indent=2), "utf-8")
    tmp.rmdir()
    manifest = {
        "generator": "benchmarks/docs_unseen/generate.py",
        "written_without_seeing_extractor": True,
        "split": a.split, "seed": a.seed, "applications": n, "kinds": sorted(kinds), "scan_dpi_max": dpi_hi,
        "counts": {k: dict(sorted(v.items())) for k, v in counts.items()},
        "layouts": {t: [m["id"] for m in ls if m["split"] == a.split] for t, ls in ALL_LAYOUTS.items()},
        "elapsed_s": round(time.time() - t0, 1),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
    print(json.dumps(manifest["counts"], ensure_ascii=False))
    print(f"wrote {n} applications to {out} in {manifest['elapsed_s']}s")


if __name__ == "__main__":
    main()
