"""``python -m xiaoyin.credit.documents.synth --out DIR --applications N --seed S [--kinds text,xml,scan]``."""

from __future__ import annotations

import argparse
from pathlib import Path

from xiaoyin.credit.documents.synth.corpus import generate_corpus


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m xiaoyin.credit.documents.synth", description=__doc__)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--applications", type=int, default=40)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--kinds", default="text,xml,scan", help="comma-separated subset of text,xml,scan")
    p.add_argument("--scan-dpi", type=int, default=200)
    a = p.parse_args(argv)
    m = generate_corpus(a.out, applications=a.applications, seed=a.seed,
                        kinds=tuple(k.strip() for k in a.kinds.split(",") if k.strip()), scan_dpi=a.scan_dpi)
    print(f"{len(m.applications)} applications, {m.documents} documents in {m.seconds}s -> {a.out}")
    print(f"by type: {m.by_doc_type}\nby kind: {m.by_input_kind}\nflags: {m.flags}")


if __name__ == "__main__":
    main()
