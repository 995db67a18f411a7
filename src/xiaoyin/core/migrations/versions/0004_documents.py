"""Credit-documents tables: verified applications, documents, invoice usages, trade edges, jobs.

Revision ID: 0004_documents
Revises: 0003_ledger
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004_documents"
down_revision = "0003_ledger"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "doc_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_no", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("borrower_name", sa.String(200), nullable=True),
        sa.Column("borrower_tax_id", sa.String(32), nullable=True),
        sa.Column("financing_date", sa.Date(), nullable=True),
        sa.Column("meta", JSON, nullable=False),
        sa.Column("package_sha256", sa.String(64), nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("findings", JSON, nullable=False),
        sa.Column("rules_source", sa.Text(), nullable=False),
        sa.Column("ledger_log", sa.String(100), nullable=True),
        sa.Column("ledger_seq", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(100), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_doc_applications")),
        sa.UniqueConstraint("application_no", "version", name="uq_doc_applications_no_version"),
    )
    op.create_index(op.f("ix_doc_applications_application_no"), "doc_applications", ["application_no"])
    op.create_table(
        "doc_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("doc_type", sa.String(32), nullable=True),
        sa.Column("input_kind", sa.String(16), nullable=True),
        sa.Column("extracted", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["doc_applications.id"], ondelete="CASCADE",
                                name=op.f("fk_doc_documents_application_id_doc_applications")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_doc_documents")),
        sa.UniqueConstraint("application_id", "file_name", name="uq_doc_documents_application_file"),
    )
    op.create_index(op.f("ix_doc_documents_application_id"), "doc_documents", ["application_id"])
    op.create_index(op.f("ix_doc_documents_sha256"), "doc_documents", ["sha256"])
    op.create_table(
        "doc_invoice_usages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_key", sa.String(40), nullable=False),
        sa.Column("application_no", sa.String(64), nullable=False),
        sa.Column("seller_tax_id", sa.String(32), nullable=True),
        sa.Column("total_with_tax", sa.String(32), nullable=True),
        sa.Column("issue_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_doc_invoice_usages")),
        sa.UniqueConstraint("invoice_key", name=op.f("uq_doc_invoice_usages_invoice_key")),
    )
    op.create_index(op.f("ix_doc_invoice_usages_application_no"), "doc_invoice_usages", ["application_no"])
    op.create_table(
        "doc_trade_edges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_no", sa.String(64), nullable=False),
        sa.Column("seller_key", sa.String(255), nullable=False),
        sa.Column("seller_name", sa.Text(), nullable=False),
        sa.Column("buyer_key", sa.String(255), nullable=False),
        sa.Column("buyer_name", sa.Text(), nullable=False),
        sa.Column("sign_date", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_doc_trade_edges")),
    )
    op.create_index(op.f("ix_doc_trade_edges_application_no"), "doc_trade_edges", ["application_no"])
    op.create_index(op.f("ix_doc_trade_edges_seller_key"), "doc_trade_edges", ["seller_key"])
    op.create_table(
        "doc_verify_jobs",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("application_no", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("current", sa.String(255), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_doc_verify_jobs")),
    )
    op.create_index(op.f("ix_doc_verify_jobs_application_no"), "doc_verify_jobs", ["application_no"])


def downgrade() -> None:
    op.drop_table("doc_verify_jobs")
    op.drop_table("doc_trade_edges")
    op.drop_table("doc_invoice_usages")
    op.drop_table("doc_documents")
    op.drop_table("doc_applications")
