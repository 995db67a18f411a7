"""小银 xiaoyin — a self-hosted LLM platform for small and medium banks."""

__version__ = "0.1.0"
