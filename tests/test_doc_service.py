"""Credit-document verification end to end: generated applications (text PDFs and 数电 XML) are
extracted, validated, cross-checked and stored in order in one database; planted red flags are
found, clean applications pass, and every package lands in the evidence ledger."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from xiaoyin.core.db import get_engine
from xiaoyin.core.errors import InvalidInput, NotFound
from xiaoyin.core.ledger import service as ledger
from xiaoyin.credit.documents import service

FLAG_UNIVERSE_PREFIX = "trade."


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from xiaoyin.credit.documents.synth.corpus import generate_corpus

    out = tmp_path_factory.mktemp("credit-corpus")
    generate_corpus(out, applications=40, seed=7, kinds=("text", "xml"))
    return out


def _truth(corpus: Path, app_no: str) -> dict:
    return json.loads((corpus / "truth" / f"{app_no}.json").read_text(encoding="utf-8"))


def test_planted_flags_found_and_clean_applications_pass(corpus: Path, home: Path) -> None:
    planted_rules: set[str] = set()
    for app_dir in sorted((corpus / "apps").iterdir()):
        truth = _truth(corpus, app_dir.name)
        planted = {f["rule_id"] for f in truth["flags"]}
        planted_rules |= planted
        report = service.verify_application(app_dir)
        found = {f.rule_id for f in report.all_findings if f.severity.value != "info"}
        red_flags = {r for r in found if r.startswith(FLAG_UNIVERSE_PREFIX)} | (found & {"amount.upper_mismatch",
                                                                                          "uscc.checksum"})
        assert planted <= found, f"{app_dir.name}: planted {planted} but found {found}"
        assert red_flags <= planted, f"{app_dir.name}: false alarms {red_flags - planted}"
        if not planted:
            assert report.verdict in ("pass", "review"), (app_dir.name, report.findings)
            assert not [f for f in report.all_findings if f.severity.value in ("error", "critical")]
        assert report.ledger is not None and report.created
        for doc in report.documents:  # every extracted value carries provenance
            if doc.data is not None:
                assert doc.provenance, doc.file
    # the corpus exercises the rule set broadly
    assert {"trade.duplicate_financing", "trade.circular_trade", "trade.party_mismatch"} <= planted_rules
    check = ledger.verify("credit-documents")
    assert check.ok and check.logs[0].size == 40


@pytest.fixture
def one_app(corpus: Path, tmp_path: Path) -> Path:
    """A clean application copied to a scratch folder."""
    for app_dir in sorted((corpus / "apps").iterdir()):
        if not _truth(corpus, app_dir.name)["flags"]:
            dest = tmp_path / app_dir.name
            shutil.copytree(app_dir, dest)
            return dest
    raise AssertionError("no clean application in the corpus")


def test_reverify_is_idempotent_and_changes_make_versions(one_app: Path, db_home: str) -> None:
    first = service.verify_application(one_app)
    assert first.created and first.version == 1 and first.verdict in ("pass", "review")
    again = service.verify_application(one_app)
    assert not again.created and again.version == 1 and again.ledger == first.ledger
    assert ledger.tree_head("credit-documents").tree_size == 1
    # a new file: a new version; the old one stays readable
    extra = sorted(one_app.glob("*.pdf"))[0]
    shutil.copy(extra, one_app / "copy-of-first.pdf")
    second = service.verify_application(one_app)
    assert second.created and second.version == 2
    dup = [f for d in second.documents for f in d.findings if f.rule_id == "input.duplicate_upload"]
    assert dup and "copy-of-first.pdf" in dup[0].documents
    assert service.get_application(one_app.name, 1).package_sha256 == first.package_sha256
    assert [a.version for a in service.list_applications()] == [2]
    # the invoices of the first version are not "duplicate financing" of the second
    assert "trade.duplicate_financing" not in {f.rule_id for f in second.findings}
    assert ledger.verify("credit-documents").ok


def test_partial_and_bad_files_fail_alone(one_app: Path, home: Path, tmp_path: Path) -> None:
    from xiaoyin.credit.documents.schemas import VatInvoice

    report = service.verify_application(one_app)
    partial = tmp_path / "partial"
    partial.mkdir()
    invoice = next(d for d in report.documents if isinstance(d.data, VatInvoice) and d.input_kind == "text_pdf")
    shutil.copy(one_app / invoice.file, partial / invoice.file)
    (partial / "broken.pdf").write_bytes(b"%PDF-1.7\n this is not a pdf")
    (partial / "notes.xml").write_text("<order><id>1</id></order>", encoding="utf-8")
    (partial / "empty.txt").write_bytes(b"")
    meta = json.loads((one_app / "application.json").read_text(encoding="utf-8"))
    meta["application_no"] = "PARTIAL-1"
    (partial / "application.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    rep = service.verify_application(partial)
    by_file = {d.file: d for d in rep.documents}
    assert by_file[invoice.file].data is not None  # the good file was read
    assert {f.rule_id for f in by_file["broken.pdf"].findings} == {"input.pdf_corrupt"}
    assert {f.rule_id for f in by_file["notes.xml"].findings} == {"input.xml_not_invoice"}
    assert by_file["empty.txt"].error
    flags = {f.rule_id for f in rep.findings}
    assert "trade.missing_contract" in flags and "trade.no_delivery_evidence" in flags
    # the invoice was already financed by the first application: duplicate financing
    assert "trade.duplicate_financing" in flags and rep.verdict == "fail"
    # the first application is untouched
    assert service.get_application(one_app.name).version == 1


def test_bad_application_inputs(tmp_path: Path, home: Path) -> None:
    with pytest.raises(NotFound):
        service.verify_application(tmp_path / "missing")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InvalidInput):
        service.verify_application(empty)
    (empty / "application.json").write_text("{not json", encoding="utf-8")
    (empty / "a.pdf").write_bytes(b"%PDF")
    with pytest.raises(InvalidInput, match="application.json"):
        service.verify_application(empty)
    (empty / "application.json").write_text('{"application_no": "../../etc"}', encoding="utf-8")
    with pytest.raises(InvalidInput, match="application_no"):
        service.verify_application(empty)
    with pytest.raises(NotFound):
        service.get_application("NOPE-1")


def test_ledger_detects_tampering_with_a_stored_package(one_app: Path, home: Path) -> None:
    service.verify_application(one_app)
    with get_engine().begin() as conn:
        conn.execute(text("UPDATE ledger_entries SET leaf_data = replace(leaf_data, 'pass', 'fail')"))
        conn.execute(text("UPDATE ledger_entries SET leaf_data = replace(leaf_data, 'review', 'pass')"))
    report = ledger.verify("credit-documents")
    assert not report.ok and report.logs[0].first_bad_seq == 0


def test_two_applications_racing_for_one_invoice(one_app: Path, db_home: str, tmp_path: Path) -> None:
    """Verified at the same time, exactly one of two applications with the same invoices is flagged."""
    from concurrent.futures import ThreadPoolExecutor

    dirs = []
    for no in ("RACE-A", "RACE-B"):
        d = tmp_path / no
        shutil.copytree(one_app, d)
        meta = json.loads((d / "application.json").read_text(encoding="utf-8"))
        (d / "application.json").write_text(json.dumps({**meta, "application_no": no}, ensure_ascii=False),
                                            encoding="utf-8")
        dirs.append(d)
    with ThreadPoolExecutor(2) as pool:
        reports = list(pool.map(service.verify_application, dirs))
    flagged = ["trade.duplicate_financing" in {f.rule_id for f in r.findings} for r in reports]
    assert sorted(flagged) == [False, True]
    assert ledger.verify("credit-documents").ok


def _wait_job(job_id: str, timeout: float = 120.0) -> service.VerifyJobInfo:
    import time

    deadline = time.monotonic() + timeout
    while True:  # queued and running are not end states
        job = service.get_verify_job(job_id)
        if job.status in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def test_background_jobs_queue_and_recover(one_app: Path, db_home: str) -> None:
    from xiaoyin.core.db import session_scope
    from xiaoyin.credit.documents.store import VerifyJob

    meta, files = service.read_application_dir(one_app)
    with pytest.raises(InvalidInput):
        service.start_verify_job(meta, [])
    job_id = service.start_verify_job(meta, files, user="后台")
    job = _wait_job(job_id)
    assert job.status == "done" and job.done == len(files) and job.version == 1, job
    # a job a stopped server left "running" is marked failed at the next start
    with session_scope() as s:
        s.add(VerifyJob(id="stale-1", application_no="X-1", status="running", total=3, done=1))
    assert service.fail_interrupted_jobs() == 1
    stale = service.get_verify_job("stale-1")
    assert stale.status == "failed" and "interrupted" in stale.error
    with pytest.raises(NotFound):
        service.get_verify_job("nope")


def test_background_job_waiting_for_the_slot_says_why_and_gives_up(
        one_app: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setattr(service, "SLOT_NOTE_S", 0.05)
    monkeypatch.setattr(service, "SLOT_WAIT_S", 2.0)
    meta, files = service.read_application_dir(one_app)
    assert service._slot.acquire("stuck-job", timeout=5)  # a job that never ends holds the slot
    try:
        job_id = service.start_verify_job(meta, files)
        for _ in range(200):
            job = service.get_verify_job(job_id)
            if job.current or job.status != "queued":
                break
            time.sleep(0.01)
        assert job.status == "queued" and "stuck-job" in job.current, job
        job = _wait_job(job_id)
        assert job.status == "failed" and "stuck-job" in job.error and "not started after" in job.error
    finally:
        service._slot.release()
    job = _wait_job(service.start_verify_job(meta, files))  # the slot is free again: the next job runs
    assert job.status == "done", job


def test_background_job_errors_are_logged_and_recorded(
        one_app: Path, home: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """No silent death: an error in the verification, or anything escaping the job's own handling,
    ends the job failed with the reason, logged with its traceback; the slot is released."""
    meta, files = service.read_application_dir(one_app)

    def broken(*_a: object, **_k: object) -> None:
        raise ValueError("extraction exploded")

    with monkeypatch.context() as m, caplog.at_level("INFO", logger="xiaoyin.credit.documents.service"):
        m.setattr(service, "verify_package", broken)
        job_id = service.start_verify_job(meta, files)
        job = _wait_job(job_id)
    assert job.status == "failed" and job.error == "ValueError: extraction exploded" and job.finished_at
    failed = [r for r in caplog.records if job_id in r.getMessage() and "failed" in r.getMessage()]
    assert failed and failed[0].exc_info and failed[0].threadName == f"verify-{job_id[:8]}"
    assert any(job_id in r.getMessage() and "queued" in r.getMessage() for r in caplog.records)
    assert any(job_id in r.getMessage() and "running" in r.getMessage() for r in caplog.records)

    def dies(*_a: object, **_k: object) -> None:  # not an Exception: escapes the job's own handling
        raise SystemExit("thread killed")

    caplog.clear()
    with monkeypatch.context() as m, caplog.at_level("INFO", logger="xiaoyin.credit.documents.service"):
        m.setattr(service, "_run_job", dies)
        job = _wait_job(service.start_verify_job(meta, files))
    assert job.status == "failed" and "SystemExit" in job.error, job
    assert any("thread died" in r.getMessage() and r.exc_info for r in caplog.records)
    assert _wait_job(service.start_verify_job(meta, files)).status == "done"  # the slot was released
