"""Helpers for the web tests: an isolated data home with users, a real uvicorn server, Debian's Chromium.

The server runs ``uvicorn --factory xiaoyin.api.app:create_app`` in a subprocess on a free loopback
port; the browser is Playwright driving ``/usr/bin/chromium`` (no browser download). :class:`Watch`
records what a browser context did (requests, dialogs, script errors and CSP violations).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import free_port, wait_healthy

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu"]

ADMIN = ("admin01", "Admin-pass-2024!")
STAFF = ("staff01", "Staff-pass-2024!")
VICTIM = ("victim01", "Victim-pass-2024!")
KBM = ("kbmgr01", "Kbmgr-pass-2024!")  # knowledge manager at head office: no users.manage
CREDIT = ("credit01", "Credit-pass-2024!")  # credit officer: docs.review, credit.decide, risk.read



def _home_env(home: Path) -> dict[str, str]:
    return {"XIAOYIN_HOME": str(home), "XIAOYIN_CONFIG": str(home / "none.toml")}


@contextmanager
def in_home(home: Path) -> Iterator[None]:
    """Run service code of this process against ``home`` (its settings are forgotten afterwards)."""
    from xiaoyin.core.settings import reset_settings

    with pytest.MonkeyPatch.context() as mp:
        for k, v in _home_env(home).items():
            mp.setenv(k, v)
        mp.delenv("XIAOYIN_DATABASE_URL", raising=False)
        reset_settings()
        try:
            yield
        finally:
            reset_settings()
    reset_settings()


def prepare_home(home: Path) -> None:
    """Migrate a fresh home and add the test organisation and users (in this process, then forgotten)."""
    from xiaoyin.core import db
    from xiaoyin.core.auth import service as auth
    from xiaoyin.core.auth.principal import Principal

    with in_home(home):
        db.upgrade()
        system = Principal.system()
        auth.create_branch(system, "0001", "青禾银行总行")
        auth.create_branch(system, "0101", "青禾银行城东支行", "0001")
        auth.create_branch(system, "0102", "青禾银行城西支行", "0001")
        auth.create_department(system, "retail", "零售业务部")
        auth.create_department(system, "risk", "风险管理部")
        auth.create_user(system, ADMIN[0], ADMIN[1], roles=["admin"], branch="0001",
                         display_name="王管理")
        auth.create_user(system, STAFF[0], STAFF[1], roles=["staff"], branch="0101",
                         department="retail", display_name="李员工")
        auth.create_user(system, VICTIM[0], VICTIM[1], roles=["staff"], branch="0102")
        auth.create_user(system, KBM[0], KBM[1], roles=["knowledge_manager"], branch="0001",
                         display_name="赵知识")
        auth.create_user(system, CREDIT[0], CREDIT[1], roles=["credit_officer"], branch="0101",
                         display_name="钱信贷")


@dataclass
class LiveServer:
    url: str
    home: Path
    log: Path
    proc: subprocess.Popen = field(repr=False)

    @property
    def netloc(self) -> str:
        return urlsplit(self.url).netloc

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""


@contextmanager
def live_server(home: Path) -> Iterator[LiveServer]:
    port = free_port()
    env = {**os.environ, **_home_env(home)}
    env.pop("XIAOYIN_DATABASE_URL", None)
    log = home / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "xiaoyin.api.app:create_app", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "warning"], env=env, stdout=out, stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}", home, log, proc)
    try:
        wait_healthy(server.url, proc, server.log_text)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:  # pragma: no cover - diagnostic
            proc.kill()


GERMAN = REPO.parent / "shared" / "data" / "credit" / "german_credit.csv"


def register_german_model(home: Path, work: Path, name: str = "german") -> list[dict]:
    """Train a quick scorecard on the German credit data (2-fold CV, no challenger: about 6 s) and
    register it in ``home`` under ``name`` (its first version becomes champion)."""
    from xiaoyin.credit.risk import service as risk

    with in_home(home):
        out = risk.train_model(GERMAN, "creditability", work / name, config={"challenger": False, "cv_folds": 2})
        return risk.register_model(out["out_dir"], name, user="risk-officer", note="web test")


class Watch:
    """What a browser context did: every request, dialogs, page errors, console errors (CSP violations
    are reported on the console)."""

    def __init__(self, context) -> None:  # context: a Playwright BrowserContext
        self.requests: list[str] = []
        self.dialogs: list[tuple[str, str]] = []
        self.errors: list[str] = []
        context.on("request", lambda r: self.requests.append(r.url))
        context.on("page", self.page)

    def page(self, page) -> None:
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)

    def _dialog(self, dialog) -> None:
        self.dialogs.append((dialog.type, dialog.message))
        if dialog.type == "confirm":
            dialog.accept()
        else:
            dialog.dismiss()

    def check(self, server: LiveServer) -> None:
        foreign = [u for u in self.requests if urlsplit(u).netloc != server.netloc]
        assert self.requests and foreign == [], foreign
        # failed loads (401 on a wrong password, 403 pages) are expected; script errors and CSP
        # violations are not
        bad = [e for e in self.errors if "Failed to load resource" not in e]
        assert bad == [], bad


def new_context(browser, server: LiveServer, *, viewport: dict | None = None):
    """A fresh browser context on the server (Chinese locale, Shanghai time) and its :class:`Watch`."""
    ctx = browser.new_context(base_url=server.url, viewport=viewport or {"width": 1366, "height": 768},
                              locale="zh-CN", timezone_id="Asia/Shanghai")
    ctx.set_default_timeout(20_000)
    return ctx, Watch(ctx)


def sign_in(ctx, who: tuple[str, str]) -> str:
    """Sign in through the API with the context's own cookie jar; returns the CSRF token."""
    r = ctx.request.post("/api/auth/login", data={"username": who[0], "password": who[1]})
    assert r.ok, r.text()
    return r.json()["csrf_token"]


def screenshot(page, name: str) -> Path:  # page: a Playwright page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@contextmanager
def launch_chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (no browser is downloaded)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()
