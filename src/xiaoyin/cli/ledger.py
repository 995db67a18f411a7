"""``xiaoyin ledger``: the evidence ledger — verify, proofs, tree heads, signing key."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from xiaoyin.cli.common import console, fail
from xiaoyin.core.errors import XiaoyinError

app = typer.Typer(help="存证账本 / evidence ledger: verify, proofs, tree heads.", no_args_is_help=True)


@app.command("verify")
def ledger_verify(
    log: Annotated[str | None, typer.Option("--log", help="one log (default: all)")] = None,
    anchor: Annotated[Path | None, typer.Option("--anchor", help="file anchor to compare with")] = None,
    public_key: Annotated[Path | None, typer.Option("--public-key", help="trusted public key (PEM) "
                                                    "instead of the local signing key")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Recompute the Merkle log(s): detect changed, deleted, inserted or re-ordered entries."""
    from xiaoyin.core.ledger import service as ledger

    try:
        report = ledger.verify(log, anchor_path=anchor, public_key=public_key)
    except XiaoyinError as e:
        raise fail(e) from None
    if as_json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    else:
        for lg in report.logs:
            key_only = not lg.ok and {p.kind for p in lg.problems} == {"key"}
            mark = ("[green]✓ 完好 intact[/]" if lg.ok else
                    "[bold yellow]? 无法核验签名 key missing[/]" if key_only else "[bold red]✗ 被篡改 TAMPERED[/]")
            console.print(f"{mark} {escape(lg.log)} ({lg.hash_alg}): {lg.size} entries, {lg.tree_heads_checked} signed tree heads, "
                          f"{lg.anchors_checked} anchored heads checked; root {escape(str(lg.root_hash))[:16]}…",
                          highlight=False)
            if lg.first_bad_seq is not None:
                console.print(f"  [red]first bad entry 第一个异常条目: #{lg.first_bad_seq}[/]")
            for prob in lg.problems:
                console.print(f"  [red]- [{escape(prob.kind)}] {escape(prob.message)}[/]", highlight=False)
            for w in lg.warnings:
                console.print(f"  [yellow]- {escape(str(w))}[/]", highlight=False)
        console.print(f"[dim]{report.seconds:.2f} s[/]")
    if not report.ok:
        raise typer.Exit(1)


@app.command("proof")
def ledger_proof(
    seq: Annotated[int, typer.Argument(help="entry number (0-based)")],
    log: Annotated[str, typer.Option("--log")] = "credit-documents",
    tree_size: Annotated[int | None, typer.Option("--size", help="tree size (default: current)")] = None,
) -> None:
    """Print an inclusion proof for one entry (JSON); check it with any RFC 9162 verifier."""
    from xiaoyin.core.ledger import service as ledger

    try:
        proof = ledger.inclusion_proof(log, seq, tree_size)
    except XiaoyinError as e:
        raise fail(e) from None
    sys.stdout.write(proof.model_dump_json(indent=2) + "\n")


@app.command("consistency")
def ledger_consistency(
    first: Annotated[int, typer.Argument(help="older tree size")],
    second: Annotated[int | None, typer.Argument(help="newer tree size (default: current)")] = None,
    log: Annotated[str, typer.Option("--log")] = "credit-documents",
) -> None:
    """Print a consistency proof between two tree sizes (JSON)."""
    from xiaoyin.core.ledger import service as ledger

    try:
        proof = ledger.consistency_proof(log, first, second)
    except XiaoyinError as e:
        raise fail(e) from None
    sys.stdout.write(proof.model_dump_json(indent=2) + "\n")


@app.command("init-key")
def ledger_init_key() -> None:
    """Create the Ed25519 signing key (first use happens automatically; after a key loss, only here)."""
    from xiaoyin.core.ledger import service as ledger

    try:
        pem = ledger.init_key()
    except XiaoyinError as e:
        raise fail(e) from None
    sys.stdout.write(pem)


@app.command("public-key")
def ledger_public_key() -> None:
    """Print the public key (PEM) that checks the signed tree heads; give it to auditors."""
    from xiaoyin.core.ledger import service as ledger

    try:
        sys.stdout.write(ledger.public_key_pem())
    except XiaoyinError as e:
        raise fail(e) from None


@app.command("head")
def ledger_head(log: Annotated[str, typer.Option("--log")] = "credit-documents") -> None:
    """Print the latest signed tree head (JSON)."""
    from xiaoyin.core.ledger import service as ledger

    try:
        sth = ledger.tree_head(log)
    except XiaoyinError as e:
        raise fail(e) from None
    sys.stdout.write(sth.model_dump_json(indent=2) + "\n")
