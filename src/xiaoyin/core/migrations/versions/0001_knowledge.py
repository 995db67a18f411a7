"""Knowledge assistant tables.

Revision ID: 0001_knowledge
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001_knowledge"
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "kb_knowledge_bases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_kb_knowledge_bases"),
        sa.UniqueConstraint("name", name="uq_kb_knowledge_bases_name"),
    )
    op.create_table(
        "kb_documents",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("kb_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("source_path", sa.Text(), nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("error_code", sa.String(50), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("title", sa.String(500), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("tags", JSON, nullable=False),
        sa.Column("doc_date", sa.Date(), nullable=True),
        sa.Column("meta", JSON, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_kb_documents"),
        sa.ForeignKeyConstraint(
            ["kb_id"], ["kb_knowledge_bases.id"], ondelete="CASCADE",
            name="fk_kb_documents_kb_id_kb_knowledge_bases",
        ),
        sa.UniqueConstraint("kb_id", "name", name="uq_kb_documents_kb_name"),
    )
    op.create_index("ix_kb_documents_kb_id", "kb_documents", ["kb_id"])
    op.create_index("ix_kb_documents_filename", "kb_documents", ["filename"])
    op.create_table(
        "kb_chunks",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("doc_id", sa.String(36), nullable=False),
        sa.Column("kb_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("section_path", JSON, nullable=False),
        sa.Column("page_start", sa.Integer(), nullable=True),
        sa.Column("page_end", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("chunk_hash", sa.String(64), nullable=False),
        sa.Column("meta", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_kb_chunks"),
        sa.ForeignKeyConstraint(
            ["doc_id"], ["kb_documents.id"], ondelete="CASCADE", name="fk_kb_chunks_doc_id_kb_documents"
        ),
    )
    op.create_index("ix_kb_chunks_kb_id", "kb_chunks", ["kb_id"])
    op.create_index("ix_kb_chunks_chunk_hash", "kb_chunks", ["chunk_hash"])
    op.create_index("ix_kb_chunks_doc_ordinal", "kb_chunks", ["doc_id", "ordinal"])
    op.create_table(
        "kb_cited_texts",
        sa.Column("chunk_hash", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("doc_name", sa.String(500), nullable=False),
        sa.Column("section", sa.Text(), nullable=False),
        sa.Column("page_start", sa.Integer(), nullable=True),
        sa.Column("page_end", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("chunk_hash", name="pk_kb_cited_texts"),
    )
    op.create_table(
        "kb_answers",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("kb_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("history", JSON, nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("refused", sa.Boolean(), nullable=False),
        sa.Column("support", sa.Float(), nullable=False),
        sa.Column("citations", JSON, nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("prompt_version", sa.String(50), nullable=False),
        sa.Column("meta", JSON, nullable=False),
        sa.Column("user", sa.String(100), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_kb_answers"),
    )
    op.create_index("ix_kb_answers_kb_id", "kb_answers", ["kb_id"])
    op.create_index("ix_kb_answers_created_at", "kb_answers", ["created_at"])
    op.create_table(
        "kb_ingest_jobs",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("kb_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("results", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_kb_ingest_jobs"),
    )
    op.create_index("ix_kb_ingest_jobs_kb_id", "kb_ingest_jobs", ["kb_id"])


def downgrade() -> None:
    for t in ("kb_ingest_jobs", "kb_answers", "kb_cited_texts", "kb_chunks", "kb_documents", "kb_knowledge_bases"):
        op.drop_table(t)
