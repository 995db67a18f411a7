"""The knowledge assistant's service functions: what the CLI, REST API and (later) agents call.

Every function here is typed, transactional where it writes, and raises only
:class:`~xiaoyin.core.errors.XiaoyinError` subclasses for conditions a user can act on.

Faces import this package only; its modules are details:

* :mod:`.kbs` — knowledge bases (create, list, get, delete);
* :mod:`.documents` — a knowledge base's documents (list, inspect, permissions, delete);
* :mod:`.ingestion` — ingesting files (parse, chunk, embed, store, index);
* :mod:`.indexing` — the index kept in step with the database (repair, rebuild);
* :mod:`.jobs` — background ingestion jobs for the API;
* :mod:`.searching` — hybrid search (routing, article lookup, year re-scoring);
* :mod:`.answers` — stand-alone queries, ``ask``/``ask_stream``, stored answers;
* :mod:`.feedback` — 👍/👎 on answers, the review queue, stored evaluation questions;
* :mod:`.originals` — the kept original files, page images for citations;
* :mod:`.evaluation` — evaluation runs;
* :mod:`._base` — the per-process index cache and locks they share.
"""

# ``_open``: benchmarks/bench_latency.py opens an index directly
from xiaoyin.knowledge.service._base import _open as _open
from xiaoyin.knowledge.service._base import close_indexes
from xiaoyin.knowledge.service.answers import (
    AskEvent,
    AskResult,
    Citation,
    CitationsEvent,
    DeltaEvent,
    DoneEvent,
    ErrorEvent,
    EvidenceRef,
    MetaEvent,
    StoredAnswer,
    StoredCitation,
    ask,
    ask_event,
    ask_stream,
    get_answer,
    standalone_query,
)
from xiaoyin.knowledge.service.documents import (
    ChunkInfo,
    DocumentInfo,
    delete_document,
    document_chunks,
    get_document,
    list_documents,
    set_document_acl,
)
from xiaoyin.knowledge.service.evaluation import EvalReport, evaluate
from xiaoyin.knowledge.service.feedback import (
    EvalQuestionInfo,
    FeedbackInfo,
    ReviewIn,
    eval_questions_jsonl,
    list_eval_questions,
    list_feedback,
    review_feedback,
    submit_feedback,
)
from xiaoyin.knowledge.service.indexing import rebuild_index
from xiaoyin.knowledge.service.ingestion import (
    FileResult,
    IngestObserver,
    IngestReport,
    IngestSummary,
    RejectedFile,
    collect_files,
    ingest,
)
from xiaoyin.knowledge.service.jobs import (
    IngestJobInfo,
    IngestJobStarted,
    get_ingest_job,
    remove_uploaded,
    start_ingest_job,
)
from xiaoyin.knowledge.service.kbs import KBInfo, create_kb, delete_kb, get_kb, list_kbs, set_default_acl
from xiaoyin.knowledge.service.originals import OriginalFile, document_file, page_image
from xiaoyin.knowledge.service.searching import SearchHit, SearchResult, search

__all__ = [
    "AskEvent",
    "ChunkInfo",
    "Citation",
    "CitationsEvent",
    "DeltaEvent",
    "DoneEvent",
    "ErrorEvent",
    "EvalReport",
    "EvidenceRef",
    "IngestJobInfo",
    "IngestJobStarted",
    "IngestSummary",
    "MetaEvent",
    "RejectedFile",
    "StoredAnswer",
    "StoredCitation",
    "ask_event",
    "OriginalFile",
    "document_file",
    "page_image",
    "EvalQuestionInfo",
    "FeedbackInfo",
    "ReviewIn",
    "eval_questions_jsonl",
    "list_eval_questions",
    "list_feedback",
    "review_feedback",
    "submit_feedback",
    "AskResult",
    "DocumentInfo",
    "FileResult",
    "IngestObserver",
    "IngestReport",
    "KBInfo",
    "SearchHit",
    "SearchResult",
    "ask",
    "ask_stream",
    "close_indexes",
    "collect_files",
    "create_kb",
    "delete_document",
    "delete_kb",
    "document_chunks",
    "evaluate",
    "get_answer",
    "get_document",
    "get_ingest_job",
    "get_kb",
    "ingest",
    "list_documents",
    "list_kbs",
    "set_default_acl",
    "set_document_acl",
    "rebuild_index",
    "remove_uploaded",
    "search",
    "standalone_query",
    "start_ingest_job",
]
