"""Web face: server-rendered page shells (Jinja2) whose small scripts call the JSON API.

No build step and nothing from outside the server: every template and asset lives in this package.
``create_app`` includes :data:`router` and mounts :func:`static_files` at :data:`STATIC_URL`.
"""

from xiaoyin.web.pages import STATIC_DIR, STATIC_URL, router, static_files

__all__ = ["STATIC_DIR", "STATIC_URL", "router", "static_files"]
