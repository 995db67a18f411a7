"""Tables of the credit-risk domain: registered models, registry events and every decision made.

The schema is created by migration ``0002_risk`` (hand-written; keep the two in step).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xiaoyin.core.db import Base, JSONType, utcnow


class RiskModel(Base):
    """One registered model version; ``segment`` is "" for the pooled (whole-book) model."""

    __tablename__ = "risk_models"
    __table_args__ = (UniqueConstraint("name", "segment", "version", name="uq_risk_models_name_segment_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[str] = mapped_column(String(64))
    segment: Mapped[str] = mapped_column(String(100), default="")
    path: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="challenger")  # champion|challenger|retired
    metrics: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class RiskModelEvent(Base):
    """An audit record of the registry: register, promote or rollback, by whom and when."""

    __tablename__ = "risk_model_events"
    __table_args__ = (Index("ix_risk_model_events_name_segment", "name", "segment"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    segment: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(20))  # register|promote|rollback
    from_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    to_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    user: Mapped[str | None] = mapped_column(String(100), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class RiskDecision(Base):
    """Every credit decision, with the model version and the exact inputs it saw."""

    __tablename__ = "risk_decisions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    model_name: Mapped[str] = mapped_column(String(100), index=True)
    model_version: Mapped[str] = mapped_column(String(64))
    segment: Mapped[str] = mapped_column(String(100), default="")
    policy: Mapped[str] = mapped_column(String(200), default="")
    inputs: Mapped[dict] = mapped_column(JSONType, default=dict)
    outcome: Mapped[str] = mapped_column(String(10))  # approve|reject|refer
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    pd: Mapped[float | None] = mapped_column(Float, nullable=True)
    suggested_limit: Mapped[float | None] = mapped_column(Float, nullable=True)
    price_band: Mapped[str | None] = mapped_column(String(20), nullable=True)
    interest_rate: Mapped[float | None] = mapped_column(Float, nullable=True)
    reasons: Mapped[list] = mapped_column(JSONType, default=list)
    rules_fired: Mapped[list] = mapped_column(JSONType, default=list)
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    user: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
