"""Credit-risk routes: decisions (one-second approval), stored decisions, model registry."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from xiaoyin.api.deps import CurrentPrincipal
from xiaoyin.core.auth.principal import Permission
from xiaoyin.credit.risk import service as risk

router = APIRouter(prefix="/api/risk", tags=["credit risk"])

ModelName = Field(..., min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$",
                  description="registered model name (the champion version decides)")


class DecideIn(BaseModel):
    model: str = ModelName
    application: dict[str, Any] = Field(..., max_length=500)
    user: str | None = Field(None, max_length=100, description="ignored: the signed-in user is recorded")


class PromoteIn(BaseModel):
    version: str = Field(..., min_length=1, max_length=64)
    user: str | None = Field(None, max_length=100, description="ignored: the signed-in user is recorded")
    segment: str | None = Field(None, max_length=100)
    note: str = Field("", max_length=1000)


class RollbackIn(BaseModel):
    user: str | None = Field(None, max_length=100, description="ignored: the signed-in user is recorded")
    segment: str = Field("", max_length=100)
    note: str = Field("", max_length=1000)


@router.post("/decide", response_model=risk.DecisionResult)
def decide(body: DecideIn, principal: CurrentPrincipal) -> risk.DecisionResult:
    """Decide on one application with the champion of a registered model; the decision is stored
    under the signed-in credit officer and audited."""
    d = risk.decide(body.model, body.application, registered_only=True, principal=principal)
    return risk.DecisionResult.of(d)


@router.get("/decisions/{decision_id}", response_model=risk.StoredDecision)
def get_decision(decision_id: str, principal: CurrentPrincipal) -> risk.StoredDecision:
    principal.require(Permission.RISK_READ)
    return risk.get_decision(decision_id)


@router.get("/decisions", response_model=list[risk.StoredDecision])
def list_decisions(principal: CurrentPrincipal, model: str | None = None,
                   limit: int = 50) -> list[risk.StoredDecision]:
    principal.require(Permission.RISK_READ)
    return risk.list_decisions(model, limit)


@router.get("/models", response_model=list[risk.ModelInfo])
def list_models(principal: CurrentPrincipal, name: str | None = None) -> list[risk.ModelInfo]:
    principal.require(Permission.RISK_READ)
    return risk.list_models(name)


@router.get("/models/{name}/events", response_model=list[risk.EventInfo])
def model_events(name: str, principal: CurrentPrincipal) -> list[risk.EventInfo]:
    principal.require(Permission.RISK_READ)
    return risk.model_events(name)


@router.post("/models/{name}/promote", response_model=risk.ModelInfo)
def promote(name: str, body: PromoteIn, principal: CurrentPrincipal) -> risk.ModelInfo:
    return risk.promote(name, body.version, segment=body.segment, note=body.note, principal=principal)


@router.post("/models/{name}/rollback", response_model=risk.ModelInfo)
def rollback(name: str, body: RollbackIn, principal: CurrentPrincipal) -> risk.ModelInfo:
    return risk.rollback(name, segment=body.segment, note=body.note, principal=principal)
