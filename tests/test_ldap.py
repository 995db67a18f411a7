"""LDAP / Active Directory sign-in against a real OpenLDAP server.

A private ``slapd`` (mdb backend, suffix dc=qinghe,dc=bank, the memberof overlay, StartTLS with a test CA)
runs on a free loopback port for this module; entries are loaded with ``ldapadd`` and passwords hashed
{SSHA} by ``slappasswd``. The server deliberately allows *unauthenticated* binds (a DN with an empty
password succeeds, as on many directories), so the empty-password test shows the platform refuses them
itself. Needs the Debian packages ``slapd`` and ``ldap-utils``: skipped without them, except under CI
(``.ci/run`` installs them and sets ``XIAOYIN_TEST_SLAPD``).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import logging
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ldap
import pytest
from sqlalchemy import select

from xiaoyin.core.audit import service as audit
from xiaoyin.core.auth import ldap as directory
from xiaoyin.core.auth import service as auth
from xiaoyin.core.auth.principal import Principal, Role
from xiaoyin.core.auth.store import LoginAttempt, User
from xiaoyin.core.db import session_scope
from xiaoyin.core.errors import AccountLocked, Unauthenticated
from xiaoyin.core.settings import get_settings, reset_settings

SLAPD = os.environ.get("XIAOYIN_TEST_SLAPD") or "/usr/sbin/slapd"
SLAPPASSWD = str(Path(SLAPD).with_name("slappasswd"))
LDAPADD = shutil.which("ldapadd") or "/usr/bin/ldapadd"
BASE = "dc=qinghe,dc=bank"
ROOT_DN, ROOT_PW = f"cn=admin,{BASE}", "Root#secret2026"
SVC_DN, SVC_PW = f"cn=xiaoyin-svc,ou=services,{BASE}", "Svc#secret2026"
CREDIT_GROUP, AUDIT_GROUP = f"cn=credit,ou=groups,{BASE}", f"cn=audit,ou=groups,{BASE}"
#: uid → (password, sAMAccountName, display name)
PEOPLE = {
    "zhang": ("Zhang#pw2026", "zhangsan", "张三"),
    "li": ("Li#pw2026xx", "lisi", "李四"),
    "wang,wu": ("Wang#pw2026", "wangwu", "王五"),
}
OPS_DN, OPS_PW = f"uid=ops1,ou=ops,ou=staff,{BASE}", "Ops#pw2026"  # reachable only by DN injection
ROOT = Principal.system("root")

AD_SCHEMA = """\
attributetype ( 1.2.840.113556.1.4.221 NAME 'sAMAccountName'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.4203.666.11.1 NAME 'xiaoyinTestADUser' AUXILIARY MAY sAMAccountName )
"""


@dataclass(frozen=True)
class Directory:
    url: str
    ca_file: Path
    log: Path


def _missing_tools() -> list[str]:
    return [p for p in (SLAPD, SLAPPASSWD, LDAPADD) if not os.access(p, os.X_OK)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ssha(password: str) -> str:
    r = subprocess.run([SLAPPASSWD, "-h", "{SSHA}", "-s", password], capture_output=True, text=True, check=True)
    return r.stdout.strip()


def _certificates(d: Path) -> tuple[Path, Path, Path]:
    """A test CA and a server certificate for 127.0.0.1 / localhost signed by it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("xiaoyin test CA")).issuer_name(name("xiaoyin test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    cert = (x509.CertificateBuilder().subject_name(name("127.0.0.1")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = d / "ca.pem", d / "server.pem", d / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    paths[2].chmod(0o600)
    return paths


def _entries() -> str:
    people = []
    for uid, (pw, sam, display) in PEOPLE.items():
        dn = f"uid={ldap.dn.escape_dn_chars(uid)},ou=staff,{BASE}"
        people.append(f"dn: {dn}\nobjectClass: inetOrgPerson\nobjectClass: xiaoyinTestADUser\nuid: {uid}\n"
                      f"sAMAccountName: {sam}\ncn: {sam}\nsn: {sam}\ndisplayName: {display}\n"
                      f"userPassword: {_ssha(pw)}\n")
    return "\n".join([
        f"dn: {BASE}\nobjectClass: dcObject\nobjectClass: organization\no: qinghe\ndc: qinghe\n",
        *(f"dn: ou={ou}\nobjectClass: organizationalUnit\nou: {ou.split(',')[0]}\n"
          for ou in (f"staff,{BASE}", f"ops,ou=staff,{BASE}", f"groups,{BASE}", f"services,{BASE}")),
        *people,
        f"dn: {OPS_DN}\nobjectClass: inetOrgPerson\nuid: ops1\ncn: ops1\nsn: ops1\nuserPassword: {_ssha(OPS_PW)}\n",
        f"dn: {SVC_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: xiaoyin-svc\n"
        f"userPassword: {_ssha(SVC_PW)}\n",
        # groupOfNames: the memberof overlay gives members a memberOf value
        f"dn: {CREDIT_GROUP}\nobjectClass: groupOfNames\ncn: credit\nmember: uid=zhang,ou=staff,{BASE}\n",
        # groupOfUniqueNames: no memberOf; found only by searching ldap_group_search_base
        f"dn: {AUDIT_GROUP}\nobjectClass: groupOfUniqueNames\ncn: audit\nuniqueMember: uid=li,ou=staff,{BASE}\n",
    ])


@pytest.fixture(scope="module")
def slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Directory]:
    """A private OpenLDAP server on a free loopback port (never the system's slapd)."""
    missing = _missing_tools()
    if missing:
        if os.environ.get("XIAOYIN_TEST_SLAPD") or os.environ.get("CI"):
            pytest.fail(f"CI must provide slapd and ldap-utils (see .ci/run); missing: {missing}")
        pytest.skip(f"needs OpenLDAP's slapd and ldap-utils (apt-get install slapd ldap-utils); missing: {missing}")
    d = tmp_path_factory.mktemp("slapd")
    (d / "data").mkdir()
    (d / "ad.schema").write_text(AD_SCHEMA)
    ca, cert, key = _certificates(d)
    (d / "slapd.conf").write_text(f"""\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include {d}/ad.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
pidfile {d}/slapd.pid
argsfile {d}/slapd.args
TLSCACertificateFile {ca}
TLSCertificateFile {cert}
TLSCertificateKeyFile {key}
# a DN with an empty password is an unauthenticated bind, and this server lets it succeed
allow bind_anon_dn
database mdb
maxsize 67108864
suffix "{BASE}"
rootdn "{ROOT_DN}"
rootpw {_ssha(ROOT_PW)}
directory {d}/data
overlay memberof
access to attrs=userPassword by anonymous auth by self read by * none
access to * by users read by * none
""")
    url = f"ldap://127.0.0.1:{_free_port()}"
    log = d / "slapd.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([SLAPD, "-f", str(d / "slapd.conf"), "-h", f"{url}/", "-d", "0"],
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        port = int(url.rsplit(":", 1)[1])
        for _ in range(100):
            if proc.poll() is not None:
                pytest.fail(f"slapd exited ({proc.returncode}):\n{log.read_text(errors='replace')}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"slapd did not listen on {url}:\n{log.read_text(errors='replace')}")
        r = subprocess.run([LDAPADD, "-x", "-H", url, "-D", ROOT_DN, "-w", ROOT_PW], input=_entries(),
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr
        yield Directory(url=url, ca_file=ca, log=log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def use_ldap(monkeypatch: pytest.MonkeyPatch, url: str, **settings: object) -> None:
    """Point ``auth.ldap_*`` settings at a directory (through the environment, as an operator would)."""
    monkeypatch.setenv("XIAOYIN_AUTH__LDAP_URL", url)
    settings.setdefault("user_dn", f"uid={{username}},ou=staff,{BASE}")
    for key, value in settings.items():
        env = f"XIAOYIN_AUTH__LDAP_{key.upper()}"
        if value is None:
            monkeypatch.delenv(env, raising=False)
        else:
            monkeypatch.setenv(env, json.dumps(value) if isinstance(value, dict) else str(value))
    reset_settings()


def search_mode(d: Directory) -> dict[str, object]:
    """AD style: the service account finds sAMAccountName, then the entry binds."""
    return {"user_dn": None, "search_base": BASE, "user_filter": "(sAMAccountName={username})",
            "bind_dn": SVC_DN, "bind_password": SVC_PW}


def user_row(username: str) -> User | None:
    with session_scope() as s:
        u = s.scalar(select(User).where(User.username == username))
        if u is not None:
            s.expunge(u)
        return u


@pytest.fixture
def org(db_home: str) -> str:
    auth.create_branch(ROOT, "HQ", "总行")
    auth.create_branch(ROOT, "SZ", "苏州分行", parent="HQ")
    auth.create_department(ROOT, "credit", "授信审批部")
    return db_home


# ------------------------------------------------------------------------------------------- sign-in


def test_pre_provisioned_directory_user_signs_in(slapd: Directory, org: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The administrator grants roles and branch before the first sign-in; the directory checks the password."""
    use_ldap(monkeypatch, slapd.url)
    auth.create_user(ROOT, "zhang", None, roles=["credit_officer"], branch="SZ", department="credit", source="ldap")
    p = auth.authenticate("zhang", PEOPLE["zhang"][0], ip="10.0.0.1")
    assert p.username == "zhang" and p.roles == {Role.CREDIT_OFFICER}
    assert p.branch_path == ("SZ", "HQ") and p.department == "credit" and p.via == "session"
    u = user_row("zhang")
    assert u is not None and u.source == "ldap" and u.password_hash is None and u.last_login_at is not None
    assert "auth.login" in [e.action for e in audit.list_events(ROOT, audit.AuditFilter(username="zhang")).events]
    ticket = auth.create_session(p)
    assert auth.session_principal(ticket.session_id)[0].username == "zhang"


def test_wrong_password_is_refused_and_counts_towards_lockout(slapd: Directory, org: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    use_ldap(monkeypatch, slapd.url)
    auth.create_user(ROOT, "zhang", None, source="ldap")
    auth.create_user(ROOT, "local1", "Xiaoyin#2026pass")
    with pytest.raises(Unauthenticated) as wrong:
        auth.authenticate("zhang", "Not-the-password1", ip="10.0.0.2")
    with pytest.raises(Unauthenticated) as local_wrong:
        auth.authenticate("local1", "Not-the-password1", ip="10.0.0.2")
    assert wrong.value.message == local_wrong.value.message  # the same answer as a local account
    assert user_row("zhang").failed_logins == 1
    for _ in range(4):
        with pytest.raises(Unauthenticated):
            auth.authenticate("zhang", "Not-the-password1", ip="10.0.0.2")
    with pytest.raises(AccountLocked):  # locked here even though the directory would accept it
        auth.authenticate("zhang", PEOPLE["zhang"][0], ip="10.0.0.2")
    auth.update_user(ROOT, "zhang", unlock=True)
    assert auth.authenticate("zhang", PEOPLE["zhang"][0]).username == "zhang"
    assert user_row("zhang").failed_logins == 0


def test_empty_password_never_reaches_the_directory(slapd: Directory, home: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """This server accepts a DN with an empty password (an unauthenticated bind): the platform must not ask."""
    raw = ldap.initialize(slapd.url)
    raw.simple_bind_s(f"uid=zhang,ou=staff,{BASE}", "")  # succeeds on the server: the hole being guarded
    raw.unbind_s()
    use_ldap(monkeypatch, slapd.url, auto_create="true")
    auth.create_user(ROOT, "zhang", None, source="ldap")
    contacted: list[str] = []
    monkeypatch.setattr(directory.ldap, "initialize", lambda *a, **k: contacted.append(a[0]) or pytest.fail("contacted"))
    cfg = get_settings().auth
    for empty in ("", " ", "\t \n", "\x00"):
        assert directory.check_password(cfg, "zhang", empty) is None
        with pytest.raises(Unauthenticated):
            auth.authenticate("zhang", empty)
        with pytest.raises(Unauthenticated):
            auth.authenticate("someone-new", empty)  # nor for auto-created accounts
    assert contacted == [] and user_row("someone-new") is None


def test_unknown_directory_user_needs_an_account_unless_auto_create(slapd: Directory, home: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    use_ldap(monkeypatch, slapd.url)
    with pytest.raises(Unauthenticated):  # the right directory password, but no account here
        auth.authenticate("li", PEOPLE["li"][0])
    assert user_row("li") is None

    use_ldap(monkeypatch, slapd.url, auto_create="true", role_groups={AUDIT_GROUP: "auditor"})
    with pytest.raises(Unauthenticated):  # a wrong password creates nothing
        auth.authenticate("li", "Not-the-password1")
    with pytest.raises(Unauthenticated):  # not in the directory either
        auth.authenticate("nobody", "Whatever#2026")
    assert user_row("li") is None and user_row("nobody") is None
    p = auth.authenticate("li", PEOPLE["li"][0])
    assert p.roles == {Role.STAFF} and p.branch is None and p.display_name == "李四"
    u = user_row("li")
    assert u is not None and u.source == "ldap" and u.created_by == "ldap" and u.password_hash is None
    created = [e for e in audit.list_events(ROOT, audit.AuditFilter(username="ldap")).events
               if e.action == "auth.user_create"]
    assert [e.target for e in created] == ["li"]

    # with ldap_group_search_base the groupOfUniqueNames membership maps to a role (auditor)
    use_ldap(monkeypatch, slapd.url, auto_create="true", role_groups={AUDIT_GROUP: "auditor"},
             group_search_base=f"ou=groups,{BASE}")
    assert auth.authenticate("li", PEOPLE["li"][0]).roles == {Role.STAFF, Role.AUDITOR}


def test_group_mapping_keeps_mapped_roles_in_line_with_the_directory(slapd: Directory, home: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Roles named by ldap_role_groups follow the groups at each sign-in; other roles stay as granted."""
    groups = {CREDIT_GROUP.upper().replace(",", ", "): "credit_officer", AUDIT_GROUP: "auditor"}  # DNs compare normalised
    use_ldap(monkeypatch, slapd.url, role_groups=groups)
    auth.create_user(ROOT, "zhang", None, roles=["knowledge_manager", "auditor"], source="ldap")
    p = auth.authenticate("zhang", PEOPLE["zhang"][0])
    assert p.roles == {Role.KNOWLEDGE_MANAGER, Role.CREDIT_OFFICER}  # memberOf credit; not in audit
    changes = [e for e in audit.list_events(ROOT, audit.AuditFilter(username="ldap")).events
               if e.action == "auth.user_update"]
    assert len(changes) == 1 and changes[0].details["after"]["roles"] == ["credit_officer", "knowledge_manager"]

    use_ldap(monkeypatch, slapd.url, role_groups={CREDIT_GROUP: "no_such_role"})
    with pytest.raises(directory.DirectoryUnavailable, match="no_such_role"):
        auth.authenticate("zhang", PEOPLE["zhang"][0])


def test_directory_entry_is_read_after_a_direct_bind(slapd: Directory, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_ldap(monkeypatch, slapd.url)
    account = directory.check_password(get_settings().auth, "zhang", PEOPLE["zhang"][0])
    assert account == directory.DirectoryAccount(dn=f"uid=zhang,ou=staff,{BASE}", display_name="张三",
                                                 groups=(CREDIT_GROUP,))


# ------------------------------------------------------------------------------------------- injection


def test_dn_special_characters_are_escaped_in_direct_bind(slapd: Directory, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_ldap(monkeypatch, slapd.url)
    cfg = get_settings().auth
    # a comma is part of the name, not a new RDN: "wang,wu" is the entry uid=wang\,wu
    account = directory.check_password(cfg, "wang,wu", PEOPLE["wang,wu"][0])
    assert account is not None and account.dn == f"uid=wang\\,wu,ou=staff,{BASE}" and account.display_name == "王五"
    # unescaped, "ops1,ou=ops" would name uid=ops1,ou=ops,ou=staff,… and bind with that entry's password
    raw = ldap.initialize(slapd.url)
    raw.simple_bind_s(f"uid=ops1,ou=ops,ou=staff,{BASE}", OPS_PW)
    raw.unbind_s()
    for name in ("ops1,ou=ops", "*)(uid=*", "zhang)(uid=*", "zhang,ou=staff", "#zhang", " zhang\\"):
        assert directory.check_password(cfg, name, OPS_PW) is None, name
        assert directory.check_password(cfg, name, PEOPLE["zhang"][0]) is None, name


def test_filter_special_characters_are_escaped_in_search(slapd: Directory, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_ldap(monkeypatch, slapd.url, **{**search_mode(slapd),
                                        "user_filter": "(&(objectClass=inetOrgPerson)(uid={username}))"})
    cfg = get_settings().auth
    assert directory.check_password(cfg, "zhang", PEOPLE["zhang"][0]) is not None
    assert directory.check_password(cfg, "wang,wu", PEOPLE["wang,wu"][0]) is not None
    # unescaped, these filters would match zhang's entry (most of them alone), and zhang's password bind
    for name in ("zh*", "*)(uid=zhang", "zhang)(|(uid=*", "*", "z*g", "zhang\\", "*,ou=staff"):
        assert directory.check_password(cfg, name, PEOPLE["zhang"][0]) is None, name


# ------------------------------------------------------------------------------- search, then bind (AD)


def test_search_then_bind_with_sam_account_name(slapd: Directory, home: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    use_ldap(monkeypatch, slapd.url, **search_mode(slapd))
    auth.create_user(ROOT, "zhangsan", None, roles=["risk_manager"], source="ldap")
    p = auth.authenticate("zhangsan", PEOPLE["zhang"][0])
    assert p.username == "zhangsan" and p.roles == {Role.RISK_MANAGER}
    account = directory.check_password(get_settings().auth, "ZhangSan", PEOPLE["zhang"][0])
    assert account is not None and account.dn == f"uid=zhang,ou=staff,{BASE}" and account.groups == (CREDIT_GROUP,)
    with pytest.raises(Unauthenticated):
        auth.authenticate("zhangsan", PEOPLE["li"][0])  # another person's password
    assert directory.check_password(get_settings().auth, "nosuchuser", PEOPLE["zhang"][0]) is None

    # this server lets an anonymous search see nothing (ACL): a set-up problem, said as such
    use_ldap(monkeypatch, slapd.url, **{**search_mode(slapd), "bind_dn": None, "bind_password": None})
    with pytest.raises(directory.DirectoryUnavailable, match="ldap_search_base"):
        directory.check_password(get_settings().auth, "zhangsan", PEOPLE["zhang"][0])

    # a wrong service-account password is the operator's problem: unavailable, not a wrong user password
    use_ldap(monkeypatch, slapd.url, **{**search_mode(slapd), "bind_password": "wrong-service-pw"})
    with pytest.raises(directory.DirectoryUnavailable, match="service account"):
        auth.authenticate("zhangsan", PEOPLE["zhang"][0])
    assert user_row("zhangsan").failed_logins == 1  # only the other person's password above


def test_starttls_verifies_the_server_certificate(slapd: Directory, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_ldap(monkeypatch, slapd.url, start_tls="true", ca_file=str(slapd.ca_file))
    assert directory.check_password(get_settings().auth, "zhang", PEOPLE["zhang"][0]) is not None
    use_ldap(monkeypatch, slapd.url, start_tls="true", ca_file=None)  # the test CA is not trusted
    with pytest.raises(directory.DirectoryUnavailable):
        directory.check_password(get_settings().auth, "zhang", PEOPLE["zhang"][0])


# ------------------------------------------------------------------------------------ directory down


def test_directory_down_is_unavailable_not_a_wrong_password(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_ldap(monkeypatch, f"ldap://127.0.0.1:{_free_port()}", timeout_s="2")  # nothing listens there
    auth.create_user(ROOT, "zhang", None, source="ldap")
    for _ in range(get_settings().auth.max_failed_logins + 1):
        with pytest.raises(directory.DirectoryUnavailable) as e:
            auth.authenticate("zhang", PEOPLE["zhang"][0], ip="10.0.0.3")
    assert e.value.code == "ldap_unavailable" and e.value.http_status == 503
    assert e.value.to_dict()["code"] == "ldap_unavailable" and "LDAP" in e.value.message
    u = user_row("zhang")
    assert u.failed_logins == 0 and u.locked_until is None  # an outage locks nobody out
    with session_scope() as s:
        reasons = set(s.scalars(select(LoginAttempt.reason).where(LoginAttempt.username == "zhang")))
    assert reasons == {"ldap_unavailable"}

    monkeypatch.delenv("XIAOYIN_AUTH__LDAP_URL")
    reset_settings()
    with pytest.raises(directory.DirectoryUnavailable, match="not configured"):
        auth.authenticate("zhang", PEOPLE["zhang"][0], ip="10.0.0.4")


def test_a_directory_that_never_answers_times_out(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that accepts the connection and then says nothing: bounded by ldap_timeout_s."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        use_ldap(monkeypatch, f"ldap://127.0.0.1:{listener.getsockname()[1]}", timeout_s="1")
        start = time.monotonic()
        with pytest.raises(directory.DirectoryUnavailable):
            directory.check_password(get_settings().auth, "zhang", PEOPLE["zhang"][0])
        assert time.monotonic() - start < 10
    finally:
        stop.set()
        t.join()
        for sock in held:
            sock.close()
        listener.close()


def test_passwords_never_reach_the_log(slapd: Directory, home: Path, monkeypatch: pytest.MonkeyPatch,
                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    use_ldap(monkeypatch, slapd.url, **search_mode(slapd), role_groups={CREDIT_GROUP: "credit_officer"})
    auth.create_user(ROOT, "zhangsan", None, source="ldap")
    auth.authenticate("zhangsan", PEOPLE["zhang"][0])
    with pytest.raises(Unauthenticated):
        auth.authenticate("zhangsan", "Wrong#Secret-77")
    use_ldap(monkeypatch, slapd.url, **{**search_mode(slapd), "bind_password": "Wrong#Service-88"})
    with pytest.raises(directory.DirectoryUnavailable):
        auth.authenticate("zhangsan", PEOPLE["zhang"][0])
    text = caplog.text + json.dumps([e.details for e in audit.list_events(ROOT, audit.AuditFilter()).events],
                                    ensure_ascii=False)
    assert "zhangsan" in caplog.text  # the log does say who
    for secret in (PEOPLE["zhang"][0], "Wrong#Secret-77", "Wrong#Service-88", SVC_PW):
        assert secret not in text
    assert "Wrong#Service-88" not in repr(get_settings())  # the service password is a SecretStr
