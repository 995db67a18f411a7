"""``xiaoyin risk``: credit-risk models — train, decide, score, registry, monitor, triage."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from xiaoyin.cli.common import console, err, fail, print_json, split_csv
from xiaoyin.core.errors import XiaoyinError

app = typer.Typer(help="信贷风险模型 / credit risk: train, decide, score, registry, monitor, triage.",
                  no_args_is_help=True)


@app.command("train")
def risk_train(
    data: Annotated[Path, typer.Option("--data", help="CSV/Excel of past applications with outcomes")],
    target: Annotated[str, typer.Option("--target", help="outcome column (0/1, true/false, good/bad...)")],
    out: Annotated[Path, typer.Option("--out", help="MODEL_DIR to write")],
    id_col: Annotated[str | None, typer.Option("--id")] = None,
    exclude: Annotated[str | None, typer.Option("--exclude", help="comma-separated columns to leave out")] = None,
    segment: Annotated[str | None, typer.Option("--segment", help="train one model per value of this column")] = None,
    pdo: Annotated[float | None, typer.Option(help="points to double the odds")] = None,
    base_odds: Annotated[float | None, typer.Option(help="good:bad odds at the base score")] = None,
    base_score: Annotated[float | None, typer.Option(help="score at the base odds")] = None,
) -> None:
    """Train a scorecard (optimal binning, WOE, logistic regression, points) and a LightGBM challenger."""
    from xiaoyin.credit.risk import service as risk

    cfg = {k: v for k, v in {"pdo": pdo, "base_odds": base_odds, "base_score": base_score}.items() if v is not None}
    try:
        with err.status("训练中 training (5-fold cross-validation)…"):
            rep = risk.train_model(data, target, out, id_col=id_col, exclude=split_csv(exclude), segment=segment,
                                   config=cfg or None)
    except XiaoyinError as e:
        raise fail(e) from None
    cv = rep.get("cv", {})
    t = Table("模型 model", "AUC", "KS", "Gini")
    for name, m in cv.items():
        t.add_row(name, f"{m.get('auc', 0):.4f}", f"{m.get('ks', 0):.4f}", f"{m.get('gini', 0):.4f}")
    console.print(t)
    console.print(f"rows {rep.get('rows')}, bad rate {rep.get('bad_rate', 0):.4f}, "
                  f"features {len(rep.get('features', []))} → {escape(str(out))}")


@app.command("train-warning")
def risk_train_warning(
    data: Annotated[Path, typer.Option("--data", help="loan book with repayment history and later outcome")],
    target: Annotated[str, typer.Option("--target")],
    out: Annotated[Path, typer.Option("--out")],
    id_col: Annotated[str | None, typer.Option("--id")] = None,
    exclude: Annotated[str | None, typer.Option("--exclude")] = None,
) -> None:
    """Train the post-loan early-warning (behavioural) model used by ``risk triage``."""
    from xiaoyin.credit.risk import service as risk

    try:
        with err.status("训练贷后预警模型 training the early-warning model…"):
            rep = risk.train_early_warning(data, target, out, id_col=id_col, exclude=split_csv(exclude))
    except XiaoyinError as e:
        raise fail(e) from None
    print_json(rep)


@app.command("decide")
def risk_decide(
    model: Annotated[str, typer.Option("--model", help="MODEL_DIR or registered model name")],
    input_file: Annotated[Path, typer.Option("--input", help="application as a JSON object")],
    policy: Annotated[Path | None, typer.Option("--policy", help="policy rules YAML (default: built-in)")] = None,
    user: Annotated[str | None, typer.Option("--user")] = None,
) -> None:
    """One-second approval: policy rules + scorecard → approve / reject / refer, with reasons."""
    from xiaoyin.credit.risk import service as risk

    try:
        try:
            application = json.loads(input_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise fail(XiaoyinError(f"无法读取申请 JSON / cannot read {input_file}: {e}")) from None
        d = risk.decide(model, application, user=user, policy_path=policy)
    except XiaoyinError as e:
        raise fail(e) from None
    sys.stdout.write(risk.to_json(d) + "\n")


@app.command("score")
def risk_score(
    model: Annotated[str, typer.Option("--model")],
    data: Annotated[Path, typer.Option("--data")],
    out: Annotated[Path, typer.Option("--out")],
) -> None:
    """Batch-score a CSV/Excel file: the input columns plus score, pd and challenger_pd."""
    from xiaoyin.credit.risk import service as risk

    try:
        rep = risk.score_batch(model, data, out)
    except XiaoyinError as e:
        raise fail(e) from None
    print_json(rep)


@app.command("register")
def risk_register(
    model_dir: Annotated[Path, typer.Argument(help="trained MODEL_DIR")],
    name: Annotated[str, typer.Option("--name")],
    user: Annotated[str | None, typer.Option("--user")] = None,
    note: Annotated[str, typer.Option("--note")] = "",
) -> None:
    """Register a trained model version (the first version of a name becomes champion)."""
    from xiaoyin.credit.risk import service as risk

    try:
        print_json(risk.register_model(model_dir, name, user=user, note=note))
    except XiaoyinError as e:
        raise fail(e) from None


@app.command("models")
def risk_models(name: Annotated[str | None, typer.Option("--name")] = None,
                events: Annotated[bool, typer.Option("--events", help="show promote/rollback history")] = False) -> None:
    """List registered model versions (champion, challengers, segments), or a name's history."""
    from xiaoyin.credit.risk import service as risk

    try:
        print_json(risk.model_events(name) if (events and name) else risk.list_models(name))
    except XiaoyinError as e:
        raise fail(e) from None


@app.command("promote")
def risk_promote(name: Annotated[str, typer.Option("--name")], version: Annotated[str, typer.Option("--version")],
                 user: Annotated[str | None, typer.Option("--user")] = None,
                 segment: Annotated[str | None, typer.Option("--segment")] = None,
                 note: Annotated[str, typer.Option("--note")] = "") -> None:
    """Make a registered version the champion (recorded with who and when)."""
    from xiaoyin.credit.risk import service as risk

    try:
        print_json(risk.promote(name, version, user, segment=segment, note=note))
    except XiaoyinError as e:
        raise fail(e) from None


@app.command("rollback")
def risk_rollback(name: Annotated[str, typer.Option("--name")], user: Annotated[str | None, typer.Option("--user")] = None,
                  segment: Annotated[str, typer.Option("--segment")] = "",
                  note: Annotated[str, typer.Option("--note")] = "") -> None:
    """Return to the previous champion (recorded with who and when)."""
    from xiaoyin.credit.risk import service as risk

    try:
        print_json(risk.rollback(name, user, segment=segment, note=note))
    except XiaoyinError as e:
        raise fail(e) from None


@app.command("monitor")
def risk_monitor(
    model: Annotated[str, typer.Option("--model")],
    data: Annotated[Path, typer.Option("--data", help="recent applications (with outcomes if known)")],
    out: Annotated[Path | None, typer.Option("--out", help="HTML report to write")] = None,
    baseline: Annotated[Path | None, typer.Option("--baseline", help="baseline data (default: training)")] = None,
    time_col: Annotated[str | None, typer.Option("--time-col")] = None,
    target: Annotated[str | None, typer.Option("--target")] = None,
) -> None:
    """PSI of the score, CSI per feature, KS/AUC by time window; alerts above thresholds."""
    from xiaoyin.credit.risk import service as risk

    try:
        rep = risk.monitor(model, data, out, baseline_path=baseline, time_col=time_col, target=target)
    except XiaoyinError as e:
        raise fail(e) from None
    print_json(rep)


@app.command("triage")
def risk_triage(
    model: Annotated[str, typer.Option("--model", help="early-warning MODEL_DIR (risk train-warning)")],
    data: Annotated[Path, typer.Option("--data", help="the active loan book")],
    budget: Annotated[float, typer.Option("--budget", help="share of the book staff can review")] = 0.4,
    target: Annotated[str | None, typer.Option("--target", help="later outcome, to report the capture curve")] = None,
    id_col: Annotated[str | None, typer.Option("--id")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="ranked book CSV")] = None,
) -> None:
    """Rank the loan book riskiest first; report what share of bads a review budget catches."""
    from xiaoyin.credit.risk import service as risk

    try:
        rep = risk.triage(model, data, budget, out, target=target, id_col=id_col)
    except XiaoyinError as e:
        raise fail(e) from None
    print_json(rep)
