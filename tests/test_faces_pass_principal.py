"""Every face passes the acting principal into the knowledge service functions that read or change
documents: a route that forgot would search as the platform itself, unfiltered. Checked on the
source of the faces (api/, web/, cli/) so a new route cannot forget it silently."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "xiaoyin"
FACES = [SRC / "api", SRC / "web", SRC / "cli"]
#: knowledge service functions that read documents or change state
NEEDS_PRINCIPAL = {
    "ask", "ask_stream", "search", "evaluate", "get_answer", "list_documents", "get_document",
    "document_chunks", "delete_document", "set_document_acl", "ingest", "start_ingest_job",
    "create_kb", "delete_kb", "set_default_acl", "rebuild_index", "document_file", "page_image",
    "submit_feedback", "list_feedback", "review_feedback", "list_eval_questions", "eval_questions_jsonl",
}


def _calls(path: Path) -> list[tuple[int, str, set[str]]]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "service":
                out.append((node.lineno, f.attr, {k.arg for k in node.keywords if k.arg}))
            # run_in_threadpool(service.ingest, ...)
            for a in node.args[:1]:
                if isinstance(a, ast.Attribute) and isinstance(a.value, ast.Name) and a.value.id == "service":
                    out.append((node.lineno, a.attr, {k.arg for k in node.keywords if k.arg}))
    return out


def test_faces_pass_the_principal() -> None:
    missing, seen = [], 0
    for face in FACES:
        for path in sorted(face.rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if "xiaoyin.knowledge import service" not in text:
                continue
            for line, name, kwargs in _calls(path):
                if name in NEEDS_PRINCIPAL:
                    seen += 1
                    if "principal" not in kwargs:
                        missing.append(f"{path.relative_to(SRC)}:{line} service.{name}(...) without principal=")
    assert seen >= 20, seen  # the check looks at real calls
    assert not missing, "\n".join(missing)
