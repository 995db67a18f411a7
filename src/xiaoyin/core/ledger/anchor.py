"""Publishing signed tree heads outside the database, so that rewriting the database is not enough.

* :class:`FileAnchor` (default) appends one JSON line per tree head to ``settings.ledger.anchor_path``
  or ``<home>/ledger/anchors.jsonl`` (flock + fsync); point it at WORM storage or a file shipped off
  the host.
* :class:`CommandAnchor` runs ``settings.ledger.anchor_command`` through the shell with the tree head's
  JSON on stdin; its stdout (stripped) is the receipt, a non-zero exit is an error. This is how a bank
  plugs in a FISCO BCOS or ChainMaker client script (only the tree head — a hash — leaves the bank).
* ``anchor = "none"`` publishes nothing.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import threading
from pathlib import Path
from typing import Protocol, runtime_checkable

from xiaoyin.core.errors import XiaoyinError
from xiaoyin.core.ledger.signing import SignedTreeHead


class AnchorError(XiaoyinError):
    """A tree head could not be published to the configured anchor."""

    code = "anchor_error"
    http_status = 502


@runtime_checkable
class Anchor(Protocol):
    """Something that publishes a signed tree head and returns a receipt."""

    name: str

    def publish(self, sth: SignedTreeHead) -> str: ...


_file_lock = threading.Lock()


class FileAnchor:
    """Appends tree heads as JSON lines; the receipt is ``file:<path>@<byte offset>``."""

    name = "file"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def publish(self, sth: SignedTreeHead) -> str:
        line = (sth.anchor_json() + "\n").encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with _file_lock:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                    offset = os.lseek(fd, 0, os.SEEK_END)
                    os.write(fd, line)
                    os.fsync(fd)
                finally:
                    os.close(fd)  # releases the flock
        except OSError as e:
            raise AnchorError(f"cannot write the tree head to {self.path}: {e}") from e
        return f"file:{self.path}@{offset}"


class CommandAnchor:
    """Runs a shell command with the tree head JSON on stdin; stdout is the receipt."""

    name = "command"

    def __init__(self, command: str, timeout_s: float = 60.0) -> None:
        self.command = command
        self.timeout_s = timeout_s

    def publish(self, sth: SignedTreeHead) -> str:
        try:
            proc = subprocess.run(self.command, shell=True, input=sth.anchor_json().encode("utf-8"),
                                  capture_output=True, timeout=self.timeout_s, check=False)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise AnchorError(f"anchor command failed to run: {e}", command=self.command) from e
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip()[-500:]
            raise AnchorError(f"anchor command exited with status {proc.returncode}: {err}",
                              command=self.command)
        return proc.stdout.decode("utf-8", "replace").strip()


def default_anchor_path() -> Path:
    """The file anchor's path in force (settings, else ``<home>/ledger/anchors.jsonl``)."""
    from xiaoyin.core.settings import get_settings

    s = get_settings()
    return s.ledger.anchor_path or s.path("ledger", "anchors.jsonl")


def get_anchor() -> Anchor | None:
    """The anchor configured in ``settings.ledger`` (None for ``anchor = "none"``)."""
    from xiaoyin.core.settings import get_settings

    led = get_settings().ledger
    if led.anchor == "none":
        return None
    if led.anchor == "command":
        if not led.anchor_command:
            raise AnchorError("ledger.anchor is 'command' but ledger.anchor_command is not set")
        return CommandAnchor(led.anchor_command)
    return FileAnchor(default_anchor_path())


def read_file_anchors(path: Path) -> list[SignedTreeHead]:
    """Every tree head in a file anchor, in file order (a malformed line raises AnchorError)."""
    out: list[SignedTreeHead] = []
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                out.append(SignedTreeHead.model_validate(json.loads(line)))
            except ValueError as e:
                raise AnchorError(f"{path} line {no} is not a tree head: {e}") from e
    return out
