"""Evidence-ledger routes: tree heads, inclusion and consistency proofs, full verification."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse

from xiaoyin.core.ledger import service as ledger

router = APIRouter(prefix="/api/ledger", tags=["evidence ledger"])

def _json(obj: Any) -> Any:
    return obj.model_dump(mode="json")


@router.get("/logs")
def logs() -> Any:
    return [_json(info) for info in ledger.list_logs()]


@router.get("/public-key", response_class=PlainTextResponse)
def public_key() -> str:
    """The Ed25519 public key (PEM) that signs tree heads."""
    return ledger.public_key_pem()


@router.get("/{log}/head")
def head(log: str) -> Any:
    return _json(ledger.tree_head(log))


@router.get("/{log}/proof/{seq}")
def proof(log: str, seq: int, tree_size: int | None = Query(None, ge=1)) -> Any:
    return _json(ledger.inclusion_proof(log, seq, tree_size))


@router.get("/{log}/consistency")
def consistency(log: str, first: int = Query(..., ge=0), second: int | None = Query(None, ge=1)) -> Any:
    return _json(ledger.consistency_proof(log, first, second))


@router.get("/{log}/verify")
async def verify(log: str) -> Any:
    """Recompute the whole log: names the first bad entry if a row was changed, removed, added or moved."""
    return _json(await run_in_threadpool(ledger.verify, log))
