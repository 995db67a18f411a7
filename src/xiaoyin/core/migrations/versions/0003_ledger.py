"""Evidence ledger tables: logs, entries (Merkle leaves), signed tree heads.

Revision ID: 0003_ledger
Revises: 0002_risk
Create Date: 2026-12-10
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_ledger"
down_revision = "0002_risk"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ledger_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("hash_alg", sa.String(16), nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("frontier", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_logs"),
        sa.UniqueConstraint("name", name="uq_ledger_logs_name"),
    )
    op.create_table(
        "ledger_entries",
        sa.Column("id", BIGID, nullable=False),
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("leaf_data", sa.Text(), nullable=False),
        sa.Column("leaf_hash", sa.String(64), nullable=False),
        sa.Column("tree_root", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("ref", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_entries"),
        sa.ForeignKeyConstraint(["log_id"], ["ledger_logs.id"], name="fk_ledger_entries_log_id_ledger_logs",
                                ondelete="CASCADE"),
        sa.UniqueConstraint("log_id", "seq", name="uq_ledger_entries_log_id_seq"),
    )
    op.create_index("ix_ledger_entries_ref", "ledger_entries", ["ref"])
    op.create_table(
        "ledger_tree_heads",
        sa.Column("id", BIGID, nullable=False),
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.String(64), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("anchor_receipt", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_tree_heads"),
        sa.ForeignKeyConstraint(["log_id"], ["ledger_logs.id"], name="fk_ledger_tree_heads_log_id_ledger_logs",
                                ondelete="CASCADE"),
        sa.UniqueConstraint("log_id", "tree_size", name="uq_ledger_tree_heads_log_id_tree_size"),
    )


def downgrade() -> None:
    for t in ("ledger_tree_heads", "ledger_entries", "ledger_logs"):
        op.drop_table(t)
