"""The set-up contract: `make test` / `make demo` install every system file the code and the tests use.

A fresh machine has only Python and apt. Every font file named anywhere in the code, scripts, tests or
benchmarks must be installed by a Debian package that the Makefile's ``SYSTEM_PACKAGES`` lists, and the
``fonts`` target that installs them must run before ``make test`` and ``make demo``. This would have
caught the Noto CJK font that only a hand-installed machine had.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FONT_FILE = re.compile(r"""["'/]([\w.-]+\.(?:ttc|ttf|otf))["']""")
SCANNED = ("src", "scripts", "tests", "benchmarks")
DELIBERATELY_MISSING = {"nope.ttf"}  # tests/test_doc_synth.py: the error for a missing font


def makefile_variable(name: str) -> list[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")  # join continuation lines
    m = re.search(rf"^{name}\s*:=\s*(.+)$", text, re.M)
    assert m, f"Makefile has no {name}"
    return m.group(1).split()


def test_browser_and_ldap_build_packages_are_installed_by_make() -> None:
    """The browser tests drive Debian's Chromium; python-ldap compiles against libldap and SASL headers."""
    packages = makefile_variable("SYSTEM_PACKAGES")
    assert {"chromium", "chromium-driver", "libldap2-dev", "libsasl2-dev", "gcc"} <= set(packages), packages


def font_files_named_in_code() -> dict[str, list[str]]:
    """Font file names (``wqy-microhei.ttc``) → the files that name them."""
    names: dict[str, list[str]] = {}
    for top in SCANNED:
        for path in (ROOT / top).rglob("*.py"):
            for m in FONT_FILE.finditer(path.read_text(encoding="utf-8", errors="replace")):
                if m.group(1) in DELIBERATELY_MISSING:
                    continue
                names.setdefault(m.group(1), []).append(str(path.relative_to(ROOT)))
    return names


def test_code_names_fonts_at_all() -> None:
    """The scan itself works (a regex that matched nothing would make the next test vacuous)."""
    names = font_files_named_in_code()
    assert "wqy-microhei.ttc" in names
    assert "NotoSansCJK-Bold.ttc" in names


@pytest.mark.skipif(shutil.which("dpkg") is None, reason="needs a Debian-family system (dpkg)")
def test_every_font_the_code_names_comes_from_a_makefile_package() -> None:
    packages = set(makefile_variable("SYSTEM_PACKAGES"))
    problems = []
    for name, users in sorted(font_files_named_in_code().items()):
        found = sorted(Path("/usr/share/fonts").rglob(name))
        if not found:
            problems.append(f"{name} (named in {users[0]}) is not installed")
            continue
        owner = subprocess.run(["dpkg", "-S", str(found[0])], capture_output=True, text=True)
        pkg = owner.stdout.split(":", 1)[0].strip()
        if owner.returncode != 0 or pkg not in packages:
            problems.append(f"{found[0]} (named in {users[0]}) comes from {pkg or 'no package'}, "
                            f"which SYSTEM_PACKAGES does not list")
    assert not problems, "\n".join(problems)


def test_fonts_are_installed_before_test_and_demo() -> None:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^install:.*\bfonts\b", text, re.M)
    assert re.search(r"^test:.*\binstall\b", text, re.M)
    assert re.search(r"^demo:.*\binstall\b", text, re.M)
    recipe = text[text.index("\nfonts:"):]
    assert "$(SYSTEM_PACKAGES)" in recipe.split("\n\n", 1)[0]


def test_ci_installs_only_servers() -> None:
    """.ci/run may start servers the tests need, but must not install packages the Makefile lacks."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    installed = re.findall(r"apt-get install[^\n]*?((?:\s+[a-z0-9][\w.+-]*)+)\s*(?:>|$)", ci, re.M)
    names = {n for group in installed for n in group.split() if not n.startswith("-")}
    assert names <= {"postgresql", "slapd", "ldap-utils"}, names
    assert "make test" in ci
