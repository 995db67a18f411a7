"""Knowledge assistant: ingest bank documents, retrieve with Chinese-aware hybrid search, answer with citations.

Faces (CLI, API, web) call :mod:`xiaoyin.knowledge.service` only.
"""
