"""Evidence-ledger routes: tree heads, inclusion and consistency proofs, full verification."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse

from xiaoyin.core.ledger import service as ledger

router = APIRouter(prefix="/api/ledger", tags=["evidence ledger"])


@router.get("/logs", response_model=list[ledger.LogInfo])
def logs() -> list[ledger.LogInfo]:
    return ledger.list_logs()


@router.get("/public-key", response_class=PlainTextResponse)
def public_key() -> str:
    """The Ed25519 public key (PEM) that signs tree heads."""
    return ledger.public_key_pem()


@router.get("/{log}/head", response_model=ledger.SignedTreeHead)
def head(log: str) -> ledger.SignedTreeHead:
    return ledger.tree_head(log)


@router.get("/{log}/proof/{seq}", response_model=ledger.InclusionProof)
def proof(log: str, seq: int, tree_size: int | None = Query(None, ge=1)) -> ledger.InclusionProof:
    return ledger.inclusion_proof(log, seq, tree_size)


@router.get("/{log}/consistency", response_model=ledger.ConsistencyProof)
def consistency(log: str, first: int = Query(..., ge=0),
                second: int | None = Query(None, ge=1)) -> ledger.ConsistencyProof:
    return ledger.consistency_proof(log, first, second)


@router.get("/{log}/verify", response_model=ledger.VerifyReport)
async def verify(log: str) -> ledger.VerifyReport:
    """Recompute the whole log: names the first bad entry if a row was changed, removed, added or moved."""
    return await run_in_threadpool(ledger.verify, log)
