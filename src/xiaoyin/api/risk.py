"""Credit-risk routes: decisions (one-second approval), stored decisions, model registry."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, Field

from xiaoyin.credit.risk import service as risk

router = APIRouter(prefix="/api/risk", tags=["credit risk"])

ModelName = Field(..., min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$",
                  description="registered model name (the champion version decides)")


class DecideIn(BaseModel):
    model: str = ModelName
    application: dict[str, Any] = Field(..., max_length=500)
    user: str | None = Field(None, max_length=100)


class PromoteIn(BaseModel):
    version: str = Field(..., min_length=1, max_length=64)
    user: str | None = Field(None, max_length=100)
    segment: str | None = Field(None, max_length=100)
    note: str = Field("", max_length=1000)


class RollbackIn(BaseModel):
    user: str | None = Field(None, max_length=100)
    segment: str = Field("", max_length=100)
    note: str = Field("", max_length=1000)


@router.post("/decide")
def decide(body: DecideIn) -> Response:
    """Decide on one application with the champion of a registered model; the decision is stored."""
    d = risk.decide(body.model, body.application, user=body.user, registered_only=True)
    return Response(risk.to_json(d), media_type="application/json")


@router.get("/decisions/{decision_id}")
def get_decision(decision_id: str) -> Any:
    return risk.get_decision(decision_id)


@router.get("/decisions")
def list_decisions(model: str | None = None, limit: int = 50) -> Any:
    return risk.list_decisions(model, limit)


@router.get("/models")
def list_models(name: str | None = None) -> Any:
    return risk.list_models(name)


@router.get("/models/{name}/events")
def model_events(name: str) -> Any:
    return risk.model_events(name)


@router.post("/models/{name}/promote")
def promote(name: str, body: PromoteIn) -> Any:
    return risk.promote(name, body.version, body.user, segment=body.segment, note=body.note)


@router.post("/models/{name}/rollback")
def rollback(name: str, body: RollbackIn) -> Any:
    return risk.rollback(name, body.user, segment=body.segment, note=body.note)
