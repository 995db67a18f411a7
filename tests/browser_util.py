"""Helpers for the web tests: an isolated data home with users, a real uvicorn server, Debian's Chromium.

The server runs ``uvicorn --factory xiaoyin.api.app:create_app`` in a subprocess on a free loopback
port; the browser is Playwright driving ``/usr/bin/chromium`` (no browser download).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu"]

ADMIN = ("admin01", "Admin-pass-2024!")
STAFF = ("staff01", "Staff-pass-2024!")
VICTIM = ("victim01", "Victim-pass-2024!")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _home_env(home: Path) -> dict[str, str]:
    return {"XIAOYIN_HOME": str(home), "XIAOYIN_CONFIG": str(home / "none.toml")}


def prepare_home(home: Path) -> None:
    """Migrate a fresh home and add the test organisation and users (in this process, then forgotten)."""
    from xiaoyin.core import db
    from xiaoyin.core.auth import service as auth
    from xiaoyin.core.auth.principal import Principal
    from xiaoyin.core.settings import reset_settings

    with pytest.MonkeyPatch.context() as mp:
        for k, v in _home_env(home).items():
            mp.setenv(k, v)
        mp.delenv("XIAOYIN_DATABASE_URL", raising=False)
        reset_settings()
        try:
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
        finally:
            reset_settings()
    reset_settings()


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
        deadline = time.time() + 60
        while True:
            try:
                if httpx.get(f"{server.url}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("server did not start:\n" + server.log_text())
            time.sleep(0.2)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:  # pragma: no cover - diagnostic
            proc.kill()


def screenshot(page, name: str) -> Path:  # page: a Playwright page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
