"""The layering rule of docs/architecture.md, checked by import-linter, and the migration/model match."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(lint), "--config", str(REPO / "pyproject.toml")], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Contracts: " in proc.stdout and " broken" in proc.stdout
    assert "0 broken" in proc.stdout


def test_core_and_models_never_import_a_domain() -> None:
    src = REPO / "src" / "xiaoyin"
    offenders = []
    for layer in ("core", "models"):
        for f in (src / layer).rglob("*.py"):
            text = f.read_text(encoding="utf-8")
            if "xiaoyin.knowledge" in text or "xiaoyin.api" in text or "xiaoyin.cli" in text:
                offenders.append(str(f.relative_to(src)))
    assert offenders == []


def test_former_import_cycles_stay_broken() -> None:
    """settings↔db, index base↔backends and documents rules↔trade imported each other (issue 8);
    each pair now points one way only."""
    import grimp

    g = grimp.build_graph("xiaoyin")
    for lower, upper in (("xiaoyin.core.settings", "xiaoyin.core.db"),
                         ("xiaoyin.knowledge.index.base", "xiaoyin.knowledge.index.embedded"),
                         ("xiaoyin.knowledge.index.base", "xiaoyin.knowledge.index.milvus"),
                         ("xiaoyin.credit.documents.rules", "xiaoyin.credit.documents.trade")):
        assert not g.direct_import_exists(importer=lower, imported=upper), f"{lower} imports {upper}"
        assert not g.find_shortest_chain(importer=lower, imported=upper), f"{lower} reaches {upper}"
