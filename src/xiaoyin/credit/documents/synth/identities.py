"""Fictitious companies with valid 统一社会信用代码, legal representatives, addresses, phones and accounts."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace

from stdnum.cn import uscc

from xiaoyin.credit.documents.schemas import Party

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
ORG_VALUES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class Region:
    city: str
    province: str  # as printed in addresses ("" for municipalities)
    admin_code: str  # GB/T 2260
    area_code: str  # telephone
    districts: tuple[str, ...]


REGIONS: tuple[Region, ...] = (
    Region("南京", "江苏省", "320100", "025", ("玄武区", "秦淮区", "建邺区", "鼓楼区", "江宁区")),
    Region("苏州", "江苏省", "320500", "0512", ("姑苏区", "吴中区", "相城区", "工业园区")),
    Region("无锡", "江苏省", "320200", "0510", ("梁溪区", "滨湖区", "新吴区", "锡山区")),
    Region("常州", "江苏省", "320400", "0519", ("天宁区", "钟楼区", "新北区", "武进区")),
    Region("上海", "", "310000", "021", ("浦东新区", "闵行区", "宝山区", "嘉定区", "松江区")),
    Region("杭州", "浙江省", "330100", "0571", ("上城区", "拱墅区", "西湖区", "萧山区", "余杭区")),
    Region("宁波", "浙江省", "330200", "0574", ("海曙区", "江北区", "北仑区", "鄞州区")),
    Region("合肥", "安徽省", "340100", "0551", ("瑶海区", "庐阳区", "蜀山区", "包河区")),
    Region("济南", "山东省", "370100", "0531", ("历下区", "市中区", "槐荫区", "历城区")),
    Region("广州", "广东省", "440100", "020", ("天河区", "越秀区", "海珠区", "白云区", "番禺区")),
)

BRAND_CHARS = "恒通华泰瑞丰鑫盛隆昌宏远金润达嘉茂源顺安永信德兴鼎诚利祥正和凯翔博锦汇佳明新宇豪"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志文红玲晓东海波辉鹏宇浩然子轩欣怡俊"
ROADS = ("中山路", "解放路", "人民路", "建设路", "长江路", "黄河路", "新华路", "和平路", "工业大道",
         "科技园路", "滨江大道", "迎宾路", "创业路", "金融街", "湖滨路")
BANKS = (
    ("中国工商银行", "中国工商银行股份有限公司"),
    ("中国农业银行", "中国农业银行股份有限公司"),
    ("中国银行", "中国银行股份有限公司"),
    ("中国建设银行", "中国建设银行股份有限公司"),
    ("交通银行", "交通银行股份有限公司"),
    ("招商银行", "招商银行股份有限公司"),
    ("兴业银行", "兴业银行股份有限公司"),
    ("中信银行", "中信银行股份有限公司"),
)
LENDERS = ("农村商业银行股份有限公司", "村镇银行股份有限公司", "银行股份有限公司")


@dataclass(frozen=True)
class Company:
    """One fictitious company; ``industry`` ties it to a goods category."""

    name: str
    uscc: str
    legal_rep: str
    address: str
    phone: str
    bank: str
    bank_short: str
    account: str
    region: Region
    industry: str

    def party(self, *, legal_rep: bool = True, contact: bool = True, bank: bool = True) -> Party:
        """The party block as printed (fields switched off are None)."""
        return Party(
            name=self.name, tax_id=self.uscc,
            legal_rep=self.legal_rep if legal_rep else None,
            address=self.address if contact else None, phone=self.phone if contact else None,
            bank=self.bank if bank else None, account=self.account if bank else None,
        )


def org_code_check(body: str) -> str:
    """GB 11714-1997 check character for an 8-character organisation-code body."""
    s = sum(ORG_VALUES.index(c) * w for c, w in zip(body, ORG_WEIGHTS, strict=True))
    c = 11 - s % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def make_uscc(rng: random.Random, admin_code: str) -> str:
    """A valid enterprise USCC (91 + admin code + org code + check) for a registration region."""
    while True:
        body = "MA" + "".join(rng.choice(USCC_ALPHABET[:10] + "ABCDEFGHJKLMNPQRTUWXY") for _ in range(6))
        org = body + org_code_check(body)
        if all(c in USCC_ALPHABET for c in org):
            break
    first17 = "91" + admin_code + org
    return first17 + uscc.calc_check_digit(first17)


def corrupt_uscc(code: str, rng: random.Random) -> str:
    """The same code with a wrong (but well-formed) check character."""
    return code[:17] + rng.choice([c for c in USCC_ALPHABET if c != code[17]])


class CompanyFactory:
    """Creates distinct companies: no name, code, legal rep, address, phone or account is reused."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._used: set[str] = set()

    def _fresh(self, make: Callable[[], str]) -> str:
        for _ in range(1000):
            v = make()
            if v not in self._used:
                self._used.add(v)
                return v
        raise RuntimeError("identity space exhausted")

    def person(self) -> str:
        r = self.rng
        return self._fresh(lambda: r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2)))))

    def company(self, industry_word: str, industry: str, region: Region | None = None) -> Company:
        r = self.rng
        region = region or r.choice(REGIONS)
        name = self._fresh(lambda: f"{region.province[:2] if region.province and r.random() < 0.5 else region.city}"
                           f"{r.choice(BRAND_CHARS)}{r.choice(BRAND_CHARS)}{industry_word}有限公司")
        code = self._fresh(lambda: make_uscc(r, region.admin_code))
        district = r.choice(region.districts)
        address = self._fresh(lambda: f"{region.province}{region.city}市{district}{r.choice(ROADS)}{r.randint(1, 399)}号")
        digits = 8 if len(region.area_code) == 3 else 7
        phone = self._fresh(lambda: f"{region.area_code}-{r.randint(2, 8)}{r.randrange(10 ** (digits - 1)):0{digits - 1}d}")
        short, full = r.choice(BANKS)
        bank = f"{full}{region.city}{r.choice(region.districts)}支行" if r.random() < 0.6 else f"{full}{region.city}分行"
        account = self._fresh(lambda: "".join(str(r.randrange(10)) for _ in range(19)))
        if account[0] == "0":
            account = "6" + account[1:]
        return Company(name, code, self.person(), address, phone, bank, short, account, region, industry)

    def lender(self) -> str:
        """A small lending bank's name (the loan contract's 贷款人)."""
        r = self.rng
        region = r.choice(REGIONS)
        return f"{region.city}{r.choice(BRAND_CHARS)}{r.choice(BRAND_CHARS)}{r.choice(LENDERS)}"

    def sharing(self, base: Company, other: Company, field: str) -> Company:
        """``other`` with ``base``'s legal rep, address or phone (a planted related party)."""
        return replace(other, **{field: getattr(base, field)})
