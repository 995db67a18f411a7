"""Credit actions by a person are permission-checked and audited with the decision they made: a
verified document package (reviewer, verdict, ledger entry) and refused model changes and decisions."""

from __future__ import annotations

from pathlib import Path

import pytest

from xiaoyin.core.audit import service as audit
from xiaoyin.core.auth.principal import Principal, Role
from xiaoyin.core.errors import Forbidden
from xiaoyin.credit.documents import service as docs
from xiaoyin.credit.risk import service as risk

REVIEWER = Principal("chen", roles=frozenset({Role.CREDIT_OFFICER}), branch="SZ01")
STAFF = Principal("xiao", branch="SZ01")
AUDITOR = Principal("shen", roles=frozenset({Role.AUDITOR}))


def test_verified_package_is_audited_under_the_reviewer(home: Path, tmp_path: Path) -> None:
    docs.generate_samples(tmp_path / "corpus", applications=1, seed=3, kinds=("text",))
    app_dir = sorted((tmp_path / "corpus" / "apps").iterdir())[0]
    meta, files = docs.read_application_dir(app_dir)
    with pytest.raises(Forbidden):
        docs.verify_package(meta, files, principal=STAFF)
    report = docs.verify_package(meta, files, user="spoofed", principal=REVIEWER)
    stored = docs.get_application(meta.application_no)
    events = audit.list_events(AUDITOR, audit.AuditFilter(action="docs.verify")).events
    assert len(events) == 1 and events[0].username == "chen" and events[0].target == meta.application_no
    assert events[0].details["verdict"] == str(report.verdict) and events[0].details["version"] == stored.version
    # verifying the same package again creates nothing new, so nothing new is audited
    docs.verify_package(meta, files, principal=REVIEWER)
    assert audit.list_events(AUDITOR, audit.AuditFilter(action="docs.verify")).total == 1
    assert audit.verify().ok


def test_decisions_and_model_changes_need_their_permission(home: Path) -> None:
    with pytest.raises(Forbidden):
        risk.decide("german", {"age": 30}, principal=STAFF)
    for change in (lambda: risk.promote("german", "v1", principal=REVIEWER),
                   lambda: risk.rollback("german", principal=REVIEWER),
                   lambda: risk.register_model("/nonexistent", "german", principal=REVIEWER)):
        with pytest.raises(Forbidden):  # a credit officer decides; only risk managers change models
            change()
