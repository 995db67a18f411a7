"""Answer feedback (👍/👎, comment, correction, review) and stored evaluation questions.

Revision ID: 0006_feedback
Revises: 0005_auth_audit
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0006_feedback"
down_revision = "0005_auth_audit"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "kb_feedback",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("answer_id", sa.String(36), nullable=False),
        sa.Column("kb_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("rating", sa.String(8), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("correction", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reviewed_by", sa.String(64), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["answer_id"], ["kb_answers.id"], ondelete="CASCADE",
                                name=op.f("fk_kb_feedback_answer_id_kb_answers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_feedback")),
        sa.UniqueConstraint("answer_id", "username", name="uq_kb_feedback_answer_user"),
    )
    op.create_index(op.f("ix_kb_feedback_answer_id"), "kb_feedback", ["answer_id"])
    op.create_index(op.f("ix_kb_feedback_kb_id"), "kb_feedback", ["kb_id"])
    op.create_table(
        "kb_eval_questions",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("kb_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answers", JSON, nullable=False),
        sa.Column("evidence", JSON, nullable=False),
        sa.Column("answerable", sa.Boolean(), nullable=False),
        sa.Column("source_feedback_id", sa.String(36), nullable=True),
        sa.Column("created_by", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_eval_questions")),
    )
    op.create_index(op.f("ix_kb_eval_questions_kb_id"), "kb_eval_questions", ["kb_id"])


def downgrade() -> None:
    op.drop_table("kb_eval_questions")
    op.drop_table("kb_feedback")
