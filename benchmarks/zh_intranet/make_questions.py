#!/usr/bin/env python3
"""Write questions_dev.jsonl and questions_heldout.jsonl (deterministic; run once, results are committed).

Single and hand-written multi-turn questions come from the pages in hand_docs*.py / gen_docs.py; year-bound and
year follow-up questions come from the year series in series.py (only facts whose answer text does not occur
in any other year's page of the same series); unanswerable questions are listed below.
"""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import build  # noqa: E402
import series as S  # noqa: E402
from common import plain_text  # noqa: E402
from extract import norm  # noqa: E402

SEED = 20240611
N_YEAR = 89
N_SERIES_MT = 56
N_BRANCH_SINGLE = 6

UNANSWERABLE = [
    ("2018年的一年期定期存款挂牌利率是多少？", []),
    ("2026年春节期间哪些网点照常营业？", []),
    ("我行信用卡取现手续费怎么收？", []),
    ("我行美元一年期定期存款利率是多少？", []),
    ("禾农贷逾期以后罚息利率是多少？", []),
    ("手机银行跨境汇款每天限额多少？", []),
    ("员工父母住院，独生子女护理假有几天？", []),
    ("员工子女教育补贴的标准是多少？", []),
    ("黄金积存业务最低买多少克？", []),
    ("2018年度评上优秀员工的有哪些人？", []),
    ("企业年金单位缴费比例是多少？", []),
    ("青禾农商银行的股票代码是多少？", []),
    ("职工住房补贴每月发多少？", []),
    ("在我行怎么开通数字人民币钱包？", []),
    ("ETC卡可以在哪个网点办理？", []),
    ("个人每年购汇额度是多少？", []),
    ("2026年ATM跨行取款手续费是多少？", []),
    ("禾盈理财产品的固定管理费率是多少？", []),
    ("客户经理贷款营销的绩效提成比例是多少？", []),
    ("员工自费出国旅游需要走什么审批流程？", []),
    ("2018年职工体检安排在哪家医院？", []),
    ("晚上加班有没有加班餐补，多少钱？", []),
    ("支行行长的年薪大概是多少？", []),
    ("2026年助农贷款贴息比例是多少？", []),
    ("电子银行承兑汇票贴现利率现在是多少？", []),
    ("打印机用的碳粉是什么型号？", []),
    ("年休假没休完能不能折算成工资？", []),
    ("住房公积金贷款最高能贷多少？", []),
    ("二手车抵押贷款能贷车价的几成？", []),
    ("城东支行的传真号码是多少？", []),
    ("手机银行支持指纹登录吗？", []),
    ("新员工试用期工资按转正工资的多少比例发？", []),
    ("五年期大额存单的利率是多少？", []),
    ("2018年反洗钱宣传月的主题是什么？", [("2019年反洗钱宣传月的主题是什么？", "2019年反洗钱宣传月主题是“远离洗钱陷阱，守护金融安全”。")]),
    ("那跨境汇款的限额呢？", [("手机银行转账限额是多少？", "默认短信验证方式单笔5万元、日累计20万元。")]),
]

FOLLOW_YEAR = ["那{y}年呢？", "{y}年的呢？", "如果是{y}年呢？", "那{y}年的呢？", "换成{y}年呢？"]
FOLLOW_YEAR_NIANDU = ["那{y}年度呢？", "{y}年度的呢？", "换成{y}年度呢？"]
FOLLOW_FIELD = ["那{label}呢？", "{label}呢？", "同一年的{label}呢？", "那一年的{label}呢？"]


def alts_in(alts, text):
    t = norm(text)
    for a in alts:
        parts = a if isinstance(a, list) else [a]
        if all(norm(p) in t for p in parts):
            return True
    return False


def fmt_hist(fld, y, alts, unit=None):
    a = alts[0]
    if isinstance(a, list):
        return fld["h"].format(y=y, v0=a[0], v1=a[1] if len(a) > 1 else "", u=unit)
    return fld["h"].format(y=y, v=a, u=unit)


def main() -> int:
    rng = random.Random(SEED)
    docs = build.plan_corpus()
    by_series: dict = {}
    for d in docs:
        if d.series:
            by_series.setdefault(d.series, {})[d.year] = d
    text = {d.path: plain_text(d) for d in docs}
    qs: list[dict] = []

    # ---------------------------------------------------------------- hand-written single and multi-turn
    branch_singles = []
    for d in docs:
        for item in d.qa:
            if item[0] == "mt":
                _, hist, q, ans = item
                qs.append(dict(type="multi_turn", question=q, history=[dict(question=a, answer=b) for a, b in hist],
                               answers=ans, evidence=[dict(doc=d.path)], answerable=True))
            elif d.kind == "branch":
                branch_singles.append(dict(type="single", question=item[0], history=[], answers=item[1],
                                           evidence=[dict(doc=d.path)], answerable=True))
            else:
                qs.append(dict(type="single", question=item[0], history=[], answers=item[1],
                               evidence=[dict(doc=d.path)], answerable=True))
    rng.shuffle(branch_singles)
    qs += branch_singles[:N_BRANCH_SINGLE]

    # ---------------------------------------------------------------- year-bound candidates
    cands = []  # (skey, fld, y, unit, alts)
    for skey, s in S.SERIES.items():
        pages = by_series[skey]
        for fld in s["fields"]:
            for y in S.YEARS:
                units = [None]
                if fld.get("branch_q"):
                    units = [u for u, _ in S.STAR_WIN[y] if u.endswith("支行") or u == "营业部"]
                for unit in units:
                    alts = S.field_answer(skey, fld, y, unit)
                    if not alts_in(alts, text[pages[y].path]):
                        raise SystemExit(f"answer {alts} not in its page {pages[y].path}")
                    if any(alts_in(alts, text[pages[o].path]) for o in S.YEARS if o != y):
                        continue
                    cands.append((skey, fld, y, unit, alts))
    rng.shuffle(cands)
    # round-robin over series so that every series is covered
    order = sorted(S.SERIES)
    pools = {k: [c for c in cands if c[0] == k] for k in order}
    used = set()

    def take(skey, pred=lambda c: True):
        for c in pools[skey]:
            key = (c[0], c[1]["key"], c[2], c[3])
            if key not in used and pred(c):
                used.add(key)
                return c
        return None

    year_qs, i = [], 0
    while len(year_qs) < N_YEAR:
        skey = order[i % len(order)]
        i += 1
        c = take(skey)
        if c is None:
            if i > 10000:
                raise SystemExit("not enough year candidates")
            continue
        skey, fld, y, unit, alts = c
        q = rng.choice(fld["q"]).format(y=y, u=unit)
        year_qs.append(dict(type="year", question=q, history=[], answers=alts,
                            evidence=[dict(doc=by_series[skey][y].path)], answerable=True, series=skey, year=y))
    qs += year_qs

    # ---------------------------------------------------------------- multi-turn follow-ups on the series
    mt, i = [], 0
    mt_order = [k for k in order if k != "star_result"]
    while len(mt) < N_SERIES_MT:
        skey = mt_order[i % len(mt_order)]
        i += 1
        s = S.SERIES[skey]
        niandu = skey in ("star_notice", "credit_village", "year_end", "housing_fund")
        if i % 3 == 0 and len(s["fields"]) > 1:
            # same year, another field
            c = take(skey)
            if c is None:
                continue
            _, fld2, y, _, alts2 = c
            fld1 = rng.choice([f for f in s["fields"] if f is not fld2])
            a1 = S.field_answer(skey, fld1, y)
            h = dict(question=rng.choice(fld1["q"]).format(y=y), answer=fmt_hist(fld1, y, a1))
            q = rng.choice(FOLLOW_FIELD).format(label=fld2["label"])
        else:
            c = take(skey)
            if c is None:
                continue
            _, fld, y, _, alts2 = c
            y1 = rng.choice([o for o in S.YEARS if o != y])
            a1 = S.field_answer(skey, fld, y1)
            h = dict(question=rng.choice(fld["q"]).format(y=y1), answer=fmt_hist(fld, y1, a1))
            q = rng.choice(FOLLOW_YEAR_NIANDU if niandu else FOLLOW_YEAR).format(y=y)
        mt.append(dict(type="multi_turn", question=q, history=[h], answers=alts2,
                       evidence=[dict(doc=by_series[skey][y].path)], answerable=True, series=skey, year=y))
        if i > 10000:
            raise SystemExit("not enough multi-turn candidates")
    qs += mt

    # ---------------------------------------------------------------- unanswerable
    for q, hist in UNANSWERABLE:
        qs.append(dict(type="unanswerable", question=q, history=[dict(question=a, answer=b) for a, b in hist],
                       answers=[], evidence=[], answerable=False))

    # ---------------------------------------------------------------- ids and stratified split
    rng.shuffle(qs)
    for n, q in enumerate(qs, 1):
        q["id"] = f"in-{n:03d}"
    held = set()
    for t in ("single", "year", "multi_turn", "unanswerable"):
        ids = [q["id"] for q in qs if q["type"] == t]
        rng.shuffle(ids)
        held.update(ids[:round(len(ids) / 3)])
    keys = ["id", "type", "question", "history", "answers", "evidence", "answerable", "series", "year"]
    for name, sel in (("questions_dev.jsonl", lambda q: q["id"] not in held),
                      ("questions_heldout.jsonl", lambda q: q["id"] in held)):
        with open(HERE / name, "w", encoding="utf-8") as f:
            for q in qs:
                if sel(q):
                    f.write(json.dumps({k: q[k] for k in keys if k in q}, ensure_ascii=False) + "\n")
    from collections import Counter
    print("total", len(qs), Counter(q["type"] for q in qs), "heldout", len(held))
    return 0


if __name__ == "__main__":
    sys.exit(main())
