"""The REST contract: every /api route declares a typed response model, the OpenAPI schema generates
(with the streamed answer's events), and real responses validate against the models their routes declare."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import BaseModel, TypeAdapter

from tests.kb_samples import write_corpus

#: routes that answer something other than a JSON object, each with the reason
UNTYPED = {
    ("GET", "/api/audit/export.csv"): "CSV download",
    ("GET", "/api/ledger/public-key"): "PEM text",
    ("GET", "/api/kb/{name}/eval-questions.jsonl"): "JSONL text (the evaluation set as `xiaoyin eval` reads it)",
    ("GET", "/api/kb/{name}/documents/{doc}/file"): "the original file",
    ("GET", "/api/kb/{name}/documents/{doc}/pages/{page}"): "a PNG page image",
    ("DELETE", "/api/kb/{name}"): "204 No Content",
}
#: routes that answer JSON (their response model) or, on request, a Server-Sent Events stream
STREAMING = {("POST", "/api/kb/{name}/ask"): "stream: true answers text/event-stream (AskEvent, documented)"}


def _routes(app: Any) -> list[tuple[str, APIRoute]]:
    """(full path, route) of every API route, included routers too."""
    return [(ctx.path, ctx.original_route) for ctx in iter_route_contexts(app.routes)
            if isinstance(ctx.original_route, APIRoute) and ctx.path]


def _api_routes() -> list[tuple[str, APIRoute]]:
    from xiaoyin.api.app import create_app

    return [(p, r) for p, r in _routes(create_app()) if p.startswith("/api")]


def _typed(tp: Any) -> bool:
    """A pydantic model or dataclass, or a list of / union of those (never a bare dict, Any or str)."""
    origin = typing.get_origin(tp)
    if origin is list:
        return all(_typed(a) for a in typing.get_args(tp))
    if origin in (typing.Union, types.UnionType):
        return all(_typed(a) for a in typing.get_args(tp))
    return isinstance(tp, type) and (issubclass(tp, BaseModel) or dataclasses.is_dataclass(tp))


def test_every_api_route_declares_a_typed_response_model() -> None:
    routes = _api_routes()
    seen = set()
    for path, r in routes:
        for method in r.methods:
            key = (method, path)
            seen.add(key)
            if key in UNTYPED:
                assert not _typed(r.response_model), f"{key} is typed now: take it off UNTYPED"
                continue
            assert r.response_model is not None and _typed(r.response_model), \
                f"{method} {path} has no typed response model ({r.response_model!r})"
    assert set(UNTYPED) | set(STREAMING) <= seen, "a listed route no longer exists"


def test_openapi_schema_generates_with_the_answer_events() -> None:
    from xiaoyin.api.app import create_app

    spec = create_app().openapi()
    json.dumps(spec)  # plain JSON throughout
    for (method, path), _ in STREAMING.items():
        ok = spec["paths"][path][method.lower()]["responses"]["200"]["content"]
        assert ok["application/json"]["schema"] == {"$ref": "#/components/schemas/AskResult"}
        item = ok["text/event-stream"]["itemSchema"]
        union = item["properties"]["data"]["contentSchema"]
        kinds = [v["properties"]["event"]["const"] for v in union["oneOf"] if "event" in v["properties"]]
        assert kinds == ["meta", "delta", "citations", "done"] and len(union["oneOf"]) == 5
        assert item["properties"]["event"]["enum"] == ["meta", "delta", "citations", "done", "error"]
        assert "$ref" not in json.dumps(union)  # stands alone inside the document
    for path, route in _api_routes():
        for method in route.methods:
            if (method, path) in UNTYPED:
                continue
            responses = spec["paths"][path][method.lower()]["responses"]
            schema = responses[str(route.status_code or 200)]["content"]["application/json"]["schema"]
            assert schema and schema != {}, (method, path)
    names = spec["components"]["schemas"]
    assert {"StoredAnswer", "IngestJobInfo", "DecisionResult", "StoredDecision", "ModelInfo", "VerifyJobInfo",
            "ExtractedDocuments", "SignedTreeHead", "EvalReport", "Health"} <= set(names)


# ---------------------------------------------------------------------------------- real responses


@pytest.fixture
def api(home: Path) -> Iterator[tuple[TestClient, dict[tuple[str, str], Any]]]:
    from xiaoyin.api.app import create_app
    from xiaoyin.core.auth import service as auth
    from xiaoyin.core.auth.principal import Principal

    auth.create_user(Principal.system(), "contract", "Typed#2026wire", roles=["admin"])
    token = auth.create_token(Principal.system(), "contract", "tests").token
    app = create_app()
    models = {(m, p): r.response_model for p, r in _routes(app) for m in r.methods}
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as c:
        yield c, models


def _check(models: dict[tuple[str, str], Any], method: str, path: str, resp: Any, status: int = 200) -> Any:
    """The response's JSON, after checking it validates against the model its route declares."""
    assert resp.status_code == status, resp.text
    body = resp.json()
    TypeAdapter(models[(method, path)]).validate_python(body)
    return body


def _sse(text: str) -> list[tuple[str, dict[str, Any]]]:
    out, name = [], None
    for line in text.splitlines():
        if line.startswith("event:"):
            name = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and name:
            out.append((name, json.loads(line.split(":", 1)[1])))
    return out


def test_real_responses_validate_against_their_models(api: tuple[TestClient, dict], tmp_path: Path) -> None:
    from xiaoyin.knowledge import service

    c, models = api
    check = lambda method, path, resp, status=200: _check(models, method, path, resp, status)  # noqa: E731
    check("GET", "/api/health", c.get("/api/health"))
    check("POST", "/api/kb", c.post("/api/kb", json={"name": "policy"}), 201)
    folder = write_corpus(tmp_path / "docs")
    files = [("files", (p.name, p.read_bytes())) for p in sorted(folder.iterdir())]
    up = check("POST", "/api/kb/{name}/documents",
               c.post("/api/kb/policy/documents", params={"wait": "true"}, files=files), 202)
    assert up["indexed"] == 2 and up["failed"] == 2 and up["rejected"] == []
    bg = check("POST", "/api/kb/{name}/documents", c.post("/api/kb/policy/documents", files=[
        ("files", ("通知.md", "# 通知\n\n第一条 本行自2024年起执行新的存款利率。".encode()))]), 202)
    for _ in range(300):
        job = check("GET", "/api/kb/{name}/jobs/{job_id}", c.get(f"/api/kb/policy/jobs/{bg['job_id']}"))
        if job["status"] != "running":
            break
    assert job["status"] == "done" and job["results"][0]["status"] == "indexed"
    docs = check("GET", "/api/kb/{name}/documents", c.get("/api/kb/policy/documents"))
    doc = next(d["id"] for d in docs if d["name"] == "个人贷款管理办法.md")
    chunks = check("GET", "/api/kb/{name}/documents/{doc}/chunks", c.get(f"/api/kb/policy/documents/{doc}/chunks"))
    assert set(chunks[0]) == {"id", "ordinal", "text", "section_path", "page_start", "page_end", "kind", "hash"}
    check("POST", "/api/kb/{name}/search", c.post("/api/kb/policy/search", json={"query": "个人贷款管理办法第五条"}))
    a = check("POST", "/api/kb/{name}/ask", c.post("/api/kb/policy/ask", json={"question": "个人经营贷款期限最长多少年？"}))
    stored = check("GET", "/api/answers/{answer_id}", c.get(f"/api/answers/{a['id']}"))
    assert "withheld" not in stored["citations"][0]  # present only when the reader may no longer see the text
    check("POST", "/api/kb/{name}/reindex", c.post("/api/kb/policy/reindex"))
    # the stream: each event validates as the AskEvent its SSE name announces, and carries that name
    r = c.post("/api/kb/policy/ask", json={"question": "首次贷后检查应在放款后多少日内完成？", "stream": True})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = _sse(r.text)
    assert [e for e, _ in events][0] == "meta" and [e for e, _ in events][-2:] == ["citations", "done"]
    for name, data in events:
        assert data["event"] == name and type(service.ask_event(data)).__name__.lower().startswith(name)
    assert c.get(f"/api/answers/{events[-1][1]['id']}").status_code == 200
    # risk and documents with nothing stored yet, the rules, the ledger the audit trail writes to
    check("GET", "/api/risk/models", c.get("/api/risk/models"))
    check("GET", "/api/risk/decisions", c.get("/api/risk/decisions"))
    check("GET", "/api/docs/applications", c.get("/api/docs/applications"))
    check("GET", "/api/docs/rules", c.get("/api/docs/rules"))
    logs = check("GET", "/api/ledger/logs", c.get("/api/ledger/logs"))
    assert "audit" in {lg["name"] for lg in logs}
    check("GET", "/api/ledger/{log}/head", c.get("/api/ledger/audit/head"))
    check("GET", "/api/ledger/{log}/proof/{seq}", c.get("/api/ledger/audit/proof/0"))
    check("GET", "/api/ledger/{log}/verify", c.get("/api/ledger/audit/verify"))


def test_an_error_mid_stream_is_an_error_event(api: tuple[TestClient, dict], monkeypatch: pytest.MonkeyPatch) -> None:
    """After the headers went out an error arrives in-band: an ``error`` event whose data is the error
    object (as in a JSON error response), without an ``event`` key."""
    from xiaoyin.core.errors import ModelUnavailable
    from xiaoyin.knowledge import service

    c, _ = api
    assert c.post("/api/kb", json={"name": "s"}).status_code == 201

    def failing(*_a: Any, **_k: Any) -> Iterator[Any]:
        def events() -> Iterator[Any]:
            yield service.DeltaEvent(text="部分")
            raise ModelUnavailable("模型服务中断 / the model went away")

        return events()

    monkeypatch.setattr(service, "ask_stream", failing)
    r = c.post("/api/kb/s/ask", json={"question": "问题", "stream": True})
    events = _sse(r.text)
    assert events[0] == ("delta", {"event": "delta", "text": "部分"})
    assert events[-1] == ("error", {"code": "model_unavailable", "message": "模型服务中断 / the model went away"})
    assert isinstance(service.ask_event({"event": "error", **events[-1][1]}), service.ErrorEvent)
