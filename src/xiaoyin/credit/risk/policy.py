"""Declarative credit policy: knock-out rules before the score, cut-offs, bands and rules after it.

A policy is a YAML file risk staff can edit (see ``default_policy.yaml``). Rule conditions use a
small, safe expression language compiled once into Python closures (no ``eval``)::

    age < 18 or age > 65
    age not between [18, 65]
    province in ["甲省", "乙省"] and monthly_income >= 3000
    id_number in @blacklist            # a named list from ``lists:``
    monthly_debt / monthly_income > 0.55
    phone is_missing

Operators: ``== != < <= > >= in, not in, between, not between, is_missing, is_not_missing``,
``and or not``, ``+ - * /`` and parentheses. A field that is missing (absent, null, NaN, "")
makes a comparison *unknown*; logic is three-valued and a rule fires only when its condition is
definitely true, so a missing field never crashes a decision (``required`` rules catch it).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from xiaoyin.core.errors import InvalidInput

DEFAULT_POLICY = Path(__file__).with_name("default_policy.yaml")
RESERVED = ("score", "pd")
Action = Literal["reject", "refer", "approve"]
Getter = Callable[[Mapping[str, Any]], Any]

# ---------------------------------------------------------------- expression language


class ExpressionError(ValueError):
    """A condition that does not parse; the message names the position."""


_TOKEN = re.compile(
    r"""\s*(?:
    (?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)
  | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<op>==|!=|<=|>=|<|>|\[|\]|\(|\)|,|\+|-|\*|/)
  | (?P<ref>@[^\W\d]\w*)
  | (?P<name>[^\W\d]\w*)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "between", "is_missing", "is_not_missing", "true", "false", "null"}


def _tokenize(text: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ExpressionError(f"无法识别的字符 {text[pos:pos + 10]!r}（位置 {pos}）")
        pos = m.end()
        kind = m.lastgroup
        val = m.group(kind)
        if kind == "num":
            tokens.append(("lit", float(val) if any(c in val for c in ".eE") else int(val)))
        elif kind == "str":
            tokens.append(("lit", re.sub(r"\\(.)", r"\1", val[1:-1])))
        elif kind == "name" and val in _KEYWORDS:
            if val in ("true", "false", "null"):
                tokens.append(("lit", {"true": True, "false": False, "null": None}[val]))
            else:
                tokens.append(("kw", val))
        else:
            tokens.append((kind, val))
    return tokens


def is_missing(v: Any) -> bool:
    """None, NaN and blank strings count as missing."""
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return isinstance(v, str) and not v.strip()


def _num(v: Any) -> Any:
    """Numbers stay numbers; numeric strings become numbers; anything else is returned as is."""
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return v
    return v


def _compare(op: str, a: Any, b: Any) -> bool | None:
    if is_missing(a) or is_missing(b):
        return None
    if isinstance(a, str) != isinstance(b, str):
        a, b = _num(a), _num(b)
    try:
        if op == "==":
            return a == b
        if op == "!=":
            return a != b
        if op == "<":
            return a < b
        if op == "<=":
            return a <= b
        if op == ">":
            return a > b
        return a >= b
    except TypeError:
        return None


def _norm(v: Any) -> Any:
    """Exact normal form for set membership: 30, 30.0 and "30" match; long ID numbers stay exact."""
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float | str):
        text = repr(v) if isinstance(v, float) else str(v).strip()
        try:
            d = Decimal(text)
        except InvalidOperation:
            return text
        return format(d.normalize(), "f") if d.is_finite() else text
    return v


class _Compiler:
    """Recursive-descent parser that returns closures ``f(record) -> value`` (None = unknown)."""

    def __init__(self, text: str, field: Callable[[str], Getter], lists: Mapping[str, frozenset]) -> None:
        self.tokens = _tokenize(text)
        self.i = 0
        self.field = field
        self.lists = lists
        self.fields: set[str] = set()

    def compile(self) -> Getter:
        if not self.tokens:
            raise ExpressionError("条件为空")
        f = self._or()
        if self.i != len(self.tokens):
            raise ExpressionError(f"多余的内容：{self.tokens[self.i][1]!r}")
        return f

    def _peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def _accept(self, kind: str, val: Any = None) -> bool:
        t = self._peek()
        if t and t[0] == kind and (val is None or t[1] == val):
            self.i += 1
            return True
        return False

    def _expect(self, kind: str, val: Any, what: str) -> None:
        if not self._accept(kind, val):
            t = self._peek()
            raise ExpressionError(f"缺少{what}（遇到 {t[1] if t else '结尾'!r}）")

    def _or(self) -> Getter:
        parts = [self._and()]
        while self._accept("kw", "or"):
            parts.append(self._and())
        if len(parts) == 1:
            return parts[0]

        def f(r):
            unknown = False
            for p in parts:
                v = p(r)
                if v is None:
                    unknown = True
                elif v:
                    return True
            return None if unknown else False

        return f

    def _and(self) -> Getter:
        parts = [self._not()]
        while self._accept("kw", "and"):
            parts.append(self._not())
        if len(parts) == 1:
            return parts[0]

        def f(r):
            unknown = False
            for p in parts:
                v = p(r)
                if v is None:
                    unknown = True
                elif not v:
                    return False
            return None if unknown else True

        return f

    def _not(self) -> Getter:
        if self._accept("kw", "not"):
            inner = self._not()

            def f(r):
                v = inner(r)
                return None if v is None else not v

            return f
        return self._comparison()

    def _comparison(self) -> Getter:
        left = self._sum()
        t = self._peek()
        if t is None:
            return left
        if t[0] == "op" and t[1] in ("==", "!=", "<", "<=", ">", ">="):
            self.i += 1
            right = self._sum()
            op = t[1]
            return lambda r: _compare(op, left(r), right(r))
        if t == ("kw", "is_missing"):
            self.i += 1
            return lambda r: is_missing(left(r))
        if t == ("kw", "is_not_missing"):
            self.i += 1
            return lambda r: not is_missing(left(r))
        negate = False
        if t == ("kw", "not") and self.i + 1 < len(self.tokens) and self.tokens[self.i + 1] in (
            ("kw", "in"), ("kw", "between")
        ):
            self.i += 1
            negate = True
            t = self._peek()
        if t == ("kw", "in"):
            self.i += 1
            members = self._members()

            def f_in(r):
                v = left(r)
                if is_missing(v):
                    return None
                try:
                    hit = _norm(v) in members
                except TypeError:
                    return None
                return hit != negate

            return f_in
        if t == ("kw", "between"):
            self.i += 1
            lo, hi = self._pair()

            def f_between(r):
                v = left(r)
                a, b = _compare(">=", v, lo), _compare("<=", v, hi)
                if a is None or b is None:
                    return None
                return (a and b) != negate

            return f_between
        return left

    def _members(self) -> frozenset:
        t = self._peek()
        if t and t[0] == "ref":
            self.i += 1
            name = t[1][1:]
            if name not in self.lists:
                raise ExpressionError(f"未定义的名单 @{name}")
            return self.lists[name]
        return frozenset(_norm(v) for v in self._literal_list())

    def _pair(self) -> tuple[Any, Any]:
        vals = self._literal_list()
        if len(vals) != 2 or any(is_missing(v) for v in vals):
            raise ExpressionError("between 需要两个边界，例如 between [18, 65]")
        return vals[0], vals[1]

    def _literal_list(self) -> list[Any]:
        self._expect("op", "[", "“[”")
        vals: list[Any] = []
        if self._accept("op", "]"):
            return vals
        while True:
            neg = self._accept("op", "-")
            t = self._peek()
            if not t or t[0] != "lit":
                raise ExpressionError("列表中只能写常量（数字、带引号的文字、true/false/null）")
            self.i += 1
            vals.append(-t[1] if neg else t[1])
            if self._accept("op", "]"):
                return vals
            self._expect("op", ",", "“,”或“]”")

    def _sum(self) -> Getter:
        left = self._term()
        while (t := self._peek()) and t[0] == "op" and t[1] in ("+", "-"):
            self.i += 1
            left = self._arith(t[1], left, self._term())
        return left

    def _term(self) -> Getter:
        left = self._unary()
        while (t := self._peek()) and t[0] == "op" and t[1] in ("*", "/"):
            self.i += 1
            left = self._arith(t[1], left, self._unary())
        return left

    @staticmethod
    def _arith(op: str, a: Getter, b: Getter) -> Getter:
        def f(r):
            x, y = _num(a(r)), _num(b(r))
            if is_missing(x) or is_missing(y) or isinstance(x, str) or isinstance(y, str):
                return None
            try:
                if op == "+":
                    return x + y
                if op == "-":
                    return x - y
                if op == "*":
                    return x * y
                return x / y if y != 0 else None
            except TypeError:
                return None

        return f

    def _unary(self) -> Getter:
        if self._accept("op", "-"):
            inner = self._unary()

            def f(r):
                v = _num(inner(r))
                return -v if isinstance(v, int | float) and not isinstance(v, bool) else None

            return f
        return self._atom()

    def _atom(self) -> Getter:
        t = self._peek()
        if t is None:
            raise ExpressionError("条件不完整")
        self.i += 1
        if t[0] == "lit":
            val = t[1]
            return lambda r: val
        if t[0] == "name":
            self.fields.add(t[1])
            return self.field(t[1])
        if t == ("op", "("):
            inner = self._or()
            self._expect("op", ")", "“)”")
            return inner
        raise ExpressionError(f"此处不应出现 {t[1]!r}")


def compile_condition(
    text: str,
    *,
    aliases: Mapping[str, list[str]] | None = None,
    lists: Mapping[str, frozenset] | None = None,
) -> tuple[Getter, set[str]]:
    """Compile ``text`` into ``f(record) -> True | False | None`` and the set of fields it reads."""
    aliases = aliases or {}

    def field(name: str) -> Getter:
        keys = (name, *aliases.get(name, ()))
        if len(keys) == 1:
            return lambda r: r.get(name)

        def get(r):
            for k in keys:
                v = r.get(k)
                if not is_missing(v):
                    return v
            return None

        return get

    c = _Compiler(text, field, lists or {})
    return c.compile(), c.fields


# ---------------------------------------------------------------- policy schema


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ListSpec(_Strict):
    """A named list (e.g. the blacklist): inline values and/or a text file, one value per line."""

    values: list[Any] = Field(default_factory=list)
    file: str | None = None


class RuleSpec(_Strict):
    id: str = Field(min_length=1, max_length=64)
    description: str = ""
    stage: Literal["pre_score", "post_score"]
    condition: str | None = None
    required: list[str] | None = Field(None, description="fires when any of these fields is missing")
    action: Action
    reason: str = Field(min_length=1)
    enabled: bool = True

    @model_validator(mode="after")
    def _one_test(self) -> RuleSpec:
        if (self.condition is None) == (self.required is None):
            raise ValueError("每条规则须且只须给出 condition 或 required 之一")
        if self.required is not None and not self.required:
            raise ValueError("required 列表不能为空")
        return self


class Cutoffs(_Strict):
    reject_below: float
    approve_from: float

    @model_validator(mode="after")
    def _order(self) -> Cutoffs:
        if self.approve_from < self.reject_below:
            raise ValueError("approve_from 不能低于 reject_below")
        return self


class Band(_Strict):
    """A score band: limit = min(income * income_multiple, cap); price = base_rate + rate_addon."""

    name: str
    min_score: float
    income_multiple: float = Field(ge=0)
    cap: float = Field(ge=0)
    rate_addon: float = 0.0
    description: str = ""


class LimitSpec(_Strict):
    income_field: str = "monthly_income"
    round_to: float = Field(100, gt=0)


class PolicySpec(_Strict):
    name: str = "policy"
    version: str = "1"
    description: str = ""
    base_rate: float = 0.0
    aliases: dict[str, list[str]] = Field(default_factory=dict)
    lists: dict[str, ListSpec] = Field(default_factory=dict)
    rules: list[RuleSpec] = Field(default_factory=list)
    cutoffs: Cutoffs
    bands: list[Band] = Field(min_length=1)
    limit: LimitSpec = LimitSpec()

    @field_validator("bands")
    @classmethod
    def _sorted(cls, bands: list[Band]) -> list[Band]:
        return sorted(bands, key=lambda b: -b.min_score)


# ---------------------------------------------------------------- compiled policy


@dataclass(frozen=True)
class FiredRule:
    id: str
    stage: str
    action: str
    reason: str
    description: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "stage": self.stage, "action": self.action, "reason": self.reason,
                "description": self.description}


_PLACEHOLDER = re.compile(r"\{([^\W\d]\w*)\}")


@dataclass
class _Rule:
    spec: RuleSpec
    test: Getter
    fields: set[str]
    reason_fields: dict[str, Getter]
    required: list[tuple[str, Getter]]


class Policy:
    """A validated, precompiled policy; build with :func:`load_policy` or :meth:`from_dict`."""

    def __init__(self, spec: PolicySpec, source: str = "<dict>", base_dir: Path | None = None) -> None:
        self.spec = spec
        self.source = source
        self.name, self.version = spec.name, spec.version
        self.lists = {k: self._load_list(k, v, base_dir) for k, v in spec.lists.items()}
        self._field = lambda n: compile_condition(n, aliases=spec.aliases)[0]
        self.income = self._field(spec.limit.income_field)
        self.stages: dict[str, list[_Rule]] = {"pre_score": [], "post_score": []}
        seen: set[str] = set()
        for rule in spec.rules:
            if rule.id in seen:
                raise InvalidInput(f"策略规则 {rule.id}：规则编号重复", rule=rule.id)
            seen.add(rule.id)
            if not rule.enabled:
                continue
            try:
                test, fields = self._compile_rule(rule)
            except ExpressionError as e:
                raise InvalidInput(f"策略规则 {rule.id} 的条件有误：{e}", rule=rule.id) from None
            if rule.stage == "pre_score" and fields & set(RESERVED):
                raise InvalidInput(f"策略规则 {rule.id}：评分前规则不能引用 score/pd", rule=rule.id)
            reason_fields = {n: self._field(n) for n in _PLACEHOLDER.findall(rule.reason)}
            required = [(n, self._field(n)) for n in rule.required or ()]
            self.stages[rule.stage].append(_Rule(rule, test, fields, reason_fields, required))

    def _compile_rule(self, rule: RuleSpec) -> tuple[Getter, set[str]]:
        if rule.condition is not None:
            return compile_condition(rule.condition, aliases=self.spec.aliases, lists=self.lists)
        getters = [(n, self._field(n)) for n in rule.required or ()]
        return (lambda r: any(is_missing(g(r)) for _, g in getters)), set(rule.required or ())

    @staticmethod
    def _load_list(name: str, spec: ListSpec, base_dir: Path | None) -> frozenset:
        values = list(spec.values)
        if spec.file:
            p = Path(spec.file)
            if not p.is_absolute() and base_dir is not None:
                p = base_dir / p
            try:
                lines = p.read_text(encoding="utf-8-sig").splitlines()
            except OSError as e:
                raise InvalidInput(f"策略名单 {name}：无法读取文件 {p}（{e.strerror}）", rule=name) from None
            values += [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
        return frozenset(_norm(v) for v in values if not is_missing(v))

    @classmethod
    def from_dict(cls, data: Any, source: str = "<dict>", base_dir: Path | None = None) -> Policy:
        if not isinstance(data, dict):
            raise InvalidInput(f"策略文件 {source} 的顶层必须是映射（键: 值）")
        try:
            spec = PolicySpec.model_validate(data)
        except ValidationError as e:
            raise InvalidInput(_explain(e, data, source), source=source) from None
        return cls(spec, source, base_dir)

    @property
    def fields(self) -> set[str]:
        """Application fields the rules read (for documentation and input forms)."""
        out = {self.spec.limit.income_field}
        for rules in self.stages.values():
            for r in rules:
                out |= r.fields
        return out - set(RESERVED)

    def evaluate(self, stage: str, record: Mapping[str, Any]) -> list[FiredRule]:
        """The rules of ``stage`` whose condition is definitely true for ``record``."""
        fired = []
        for r in self.stages[stage]:
            if r.test(record) is True:
                fired.append(FiredRule(r.spec.id, stage, r.spec.action, self._reason(r, record),
                                       r.spec.description))
        return fired

    @staticmethod
    def _reason(r: _Rule, record: Mapping[str, Any]) -> str:
        if not r.reason_fields and "{missing}" not in r.spec.reason:
            return r.spec.reason

        def sub(m: re.Match) -> str:
            name = m.group(1)
            if name == "missing" and r.required:
                return "、".join(n for n, g in r.required if is_missing(g(record)))
            v = r.reason_fields[name](record)
            return "缺失" if is_missing(v) else (f"{v:g}" if isinstance(v, float) else str(v))

        return _PLACEHOLDER.sub(sub, r.spec.reason)

    def cutoff(self, score: float) -> str:
        """approve / refer / reject by the score cut-offs alone."""
        c = self.spec.cutoffs
        if score < c.reject_below:
            return "reject"
        return "approve" if score >= c.approve_from else "refer"

    def band(self, score: float) -> Band:
        for b in self.spec.bands:
            if score >= b.min_score:
                return b
        return self.spec.bands[-1]

    def limit(self, band: Band, record: Mapping[str, Any]) -> float | None:
        """min(income * multiple, cap) rounded down; None when income is missing or not a number."""
        income = _num(self.income(record))
        if is_missing(income) or isinstance(income, str) or isinstance(income, bool):
            return None
        raw = max(0.0, min(float(income) * band.income_multiple, band.cap))
        step = self.spec.limit.round_to
        return math.floor(raw / step) * step

    def rate(self, band: Band) -> float:
        return round(self.spec.base_rate + band.rate_addon, 6)


def _explain(e: ValidationError, data: dict, source: str) -> str:
    """A Chinese message naming the rule (by id) or section that failed validation."""
    msgs = []
    for err in e.errors()[:5]:
        loc = err["loc"]
        where = ".".join(str(x) for x in loc) or "顶层"
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
            raw = data.get("rules") or []
            rid = raw[loc[1]].get("id") if loc[1] < len(raw) and isinstance(raw[loc[1]], dict) else None
            where = f"规则 {rid or '#' + str(loc[1] + 1)}" + (f" 的 {'.'.join(map(str, loc[2:]))}" if loc[2:] else "")
        msgs.append(f"{where}：{err['msg']}")
    return f"策略文件 {source} 无效：" + "；".join(msgs)


def load_policy(path: str | Path | None = None) -> Policy:
    """Read, validate and compile a policy YAML (the bundled default when ``path`` is None)."""
    p = Path(path) if path else DEFAULT_POLICY
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise InvalidInput(f"无法读取策略文件 {p}：{e.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise InvalidInput(f"策略文件 {p} 不是有效的 YAML：{e}") from None
    return Policy.from_dict(data, source=str(p), base_dir=p.parent)
