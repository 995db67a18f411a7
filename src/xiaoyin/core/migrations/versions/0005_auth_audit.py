"""Staff accounts (branches, departments, users, API tokens, sessions, login attempts), the audit index,
and document ACLs on knowledge bases and documents.

Revision ID: 0005_auth_audit
Revises: 0004_documents
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0005_auth_audit"
down_revision = "0004_documents"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def _public() -> sa.TextClause:
    # existing documents stay visible to all staff, as they were before permissions existed
    return sa.text("'[\"public\"]'")


def upgrade() -> None:
    op.create_table(
        "auth_branches",
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("parent_code", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["parent_code"], ["auth_branches.code"],
                                name=op.f("fk_auth_branches_parent_code_auth_branches")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_auth_branches")),
    )
    op.create_table(
        "auth_departments",
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_auth_departments")),
    )
    op.create_table(
        "auth_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=True),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("roles", JSON, nullable=False),
        sa.Column("branch_code", sa.String(64), nullable=True),
        sa.Column("department_code", sa.String(64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.Column("password_changed_at", sa.DateTime(), nullable=True),
        sa.Column("created_by", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["branch_code"], ["auth_branches.code"],
                                name=op.f("fk_auth_users_branch_code_auth_branches")),
        sa.ForeignKeyConstraint(["department_code"], ["auth_departments.code"],
                                name=op.f("fk_auth_users_department_code_auth_departments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_users")),
        sa.UniqueConstraint("username", name=op.f("uq_auth_users_username")),
    )
    op.create_table(
        "auth_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["auth_users.id"], ondelete="CASCADE",
                                name=op.f("fk_auth_tokens_user_id_auth_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_auth_tokens_token_hash")),
    )
    op.create_index(op.f("ix_auth_tokens_user_id"), "auth_tokens", ["user_id"])
    op.create_table(
        "auth_sessions",
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("user_agent", sa.String(255), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["auth_users.id"], ondelete="CASCADE",
                                name=op.f("fk_auth_sessions_user_id_auth_users")),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_auth_sessions")),
    )
    op.create_index(op.f("ix_auth_sessions_user_id"), "auth_sessions", ["user_id"])
    op.create_table(
        "auth_login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(32), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_login_attempts")),
    )
    op.create_index("ix_auth_login_attempts_ip_at", "auth_login_attempts", ["ip", "at"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("branch", sa.String(64), nullable=True),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(255), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("details", JSON, nullable=False),
        sa.Column("ledger_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("ledger_seq", name=op.f("uq_audit_events_ledger_seq")),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_index("ix_audit_events_username_at", "audit_events", ["username", "at"])
    op.create_index("ix_audit_events_action_at", "audit_events", ["action", "at"])
    with op.batch_alter_table("kb_knowledge_bases") as batch:
        batch.add_column(sa.Column("default_acl", JSON, nullable=False, server_default=_public()))
        # existing indexes learn their documents' ACLs on first open (knowledge.service._sync_acl)
        batch.add_column(sa.Column("acl_synced", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("kb_documents") as batch:
        batch.add_column(sa.Column("acl", JSON, nullable=False, server_default=_public()))


def downgrade() -> None:
    with op.batch_alter_table("kb_documents") as batch:
        batch.drop_column("acl")
    with op.batch_alter_table("kb_knowledge_bases") as batch:
        batch.drop_column("acl_synced")
        batch.drop_column("default_acl")
    for table in ("audit_events", "auth_login_attempts", "auth_sessions", "auth_tokens", "auth_users",
                  "auth_departments", "auth_branches"):
        op.drop_table(table)
