"""Credit-risk tables: model registry, registry events, decisions.

Revision ID: 0002_risk
Revises: 0001_knowledge
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002_risk"
down_revision = "0001_knowledge"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "risk_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("segment", sa.String(100), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("metrics", JSON, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_risk_models"),
        sa.UniqueConstraint("name", "segment", "version", name="uq_risk_models_name_segment_version"),
    )
    op.create_index("ix_risk_models_name", "risk_models", ["name"])
    op.create_table(
        "risk_model_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("segment", sa.String(100), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("from_version", sa.String(64), nullable=True),
        sa.Column("to_version", sa.String(64), nullable=True),
        sa.Column("user", sa.String(100), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_risk_model_events"),
    )
    op.create_index("ix_risk_model_events_name_segment", "risk_model_events", ["name", "segment"])
    op.create_table(
        "risk_decisions",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("model_name", sa.String(100), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("segment", sa.String(100), nullable=False),
        sa.Column("policy", sa.String(200), nullable=False),
        sa.Column("inputs", JSON, nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("pd", sa.Float(), nullable=True),
        sa.Column("suggested_limit", sa.Float(), nullable=True),
        sa.Column("price_band", sa.String(20), nullable=True),
        sa.Column("interest_rate", sa.Float(), nullable=True),
        sa.Column("reasons", JSON, nullable=False),
        sa.Column("rules_fired", JSON, nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("user", sa.String(100), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_risk_decisions"),
    )
    op.create_index("ix_risk_decisions_model_name", "risk_decisions", ["model_name"])
    op.create_index("ix_risk_decisions_created_at", "risk_decisions", ["created_at"])


def downgrade() -> None:
    for t in ("risk_decisions", "risk_model_events", "risk_models"):
        op.drop_table(t)
