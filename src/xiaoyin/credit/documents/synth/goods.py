"""A catalogue of traded goods: tax-class short name, spec, unit, typical price, tax code and rate."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Goods:
    category: str  # industry key (a company's ``industry``)
    tax_class: str  # 商品和服务税收分类 short name, printed as *钢材*热轧卷板
    name: str
    specs: tuple[str, ...]
    unit: str
    price: int  # typical tax-included unit price (yuan)
    tax_code: str  # 19-digit 商品和服务税收分类编码
    rate: Decimal

    @property
    def invoice_name(self) -> str:
        return f"*{self.tax_class}*{self.name}"


def _g(cat: str, cls: str, name: str, specs: str, unit: str, price: int, code: str, rate: str) -> Goods:
    assert len(code) == 19 and code.isdigit(), code
    return Goods(cat, cls, name, tuple(specs.split("|")), unit, price, code, Decimal(rate))


CATALOGUE: tuple[Goods, ...] = (
    _g("steel", "钢材", "热轧卷板", "Q235B 3.0*1500|Q355B 4.75*1500|SPHC 2.5*1250", "吨", 4200, "1080206010000000000", "0.13"),
    _g("steel", "钢材", "螺纹钢", "HRB400E Φ16|HRB400E Φ20|HRB400E Φ25", "吨", 3800, "1080206020000000000", "0.13"),
    _g("steel", "钢材", "冷轧薄板", "DC01 1.0*1250|SPCC 0.8*1000", "吨", 4900, "1080206030000000000", "0.13"),
    _g("steel", "钢材", "镀锌管", "DN50*3.5|DN80*4.0", "吨", 5300, "1080206040000000000", "0.13"),
    _g("electronics", "电子元件", "贴片电容", "0603 100nF 50V|0805 10uF 25V", "千只", 85, "1090512010000000000", "0.13"),
    _g("electronics", "电子元件", "功率MOSFET", "IRF540N TO-220|AO3400 SOT-23", "千只", 1200, "1090512020000000000", "0.13"),
    _g("electronics", "计算机外部设备", "工业显示器", "21.5寸 1920*1080|15寸 1024*768", "台", 1650, "1090511020000000000", "0.13"),
    _g("electronics", "电子元件", "印制电路板", "FR-4 双面 1.6mm|FR-4 四层 1.6mm", "平方米", 980, "1090512030000000000", "0.13"),
    _g("chemical", "化学原料", "聚乙烯颗粒", "HDPE 5000S|LLDPE 7042", "吨", 8600, "1070214010000000000", "0.13"),
    _g("chemical", "化学原料", "聚丙烯", "PP T30S|PP K8003", "吨", 7800, "1070214020000000000", "0.13"),
    _g("chemical", "涂料", "环氧地坪漆", "EP-200 20kg/桶|EP-500 25kg/桶", "桶", 520, "1070219010000000000", "0.13"),
    _g("textile", "纺织产品", "涤纶长丝", "150D/48F|75D/36F", "吨", 7600, "1040401010000000000", "0.13"),
    _g("textile", "纺织产品", "全棉坯布", "40S*40S 133*72 63寸|32S*32S 130*70 58寸", "米", 9, "1040402010000000000", "0.13"),
    _g("building", "水泥", "普通硅酸盐水泥", "P.O 42.5 散装|P.O 52.5 袋装", "吨", 420, "1080103010000000000", "0.13"),
    _g("building", "建筑用石", "机制砂", "中砂 0-5mm|细砂 0-3mm", "吨", 95, "1020302010000000000", "0.03"),
    _g("building", "陶瓷制品", "抛釉地砖", "800*800mm|600*1200mm", "平方米", 68, "1080108010000000000", "0.13"),
    _g("machinery", "通用设备", "离心泵", "IS100-80-160|IS80-65-125", "台", 6800, "1090114010000000000", "0.13"),
    _g("machinery", "金属制品", "高强度螺栓", "M20*80 10.9级|M16*60 8.8级", "千套", 2400, "1080310010000000000", "0.13"),
    _g("machinery", "通用设备", "减速机", "R87 i=23.5|K77 i=31.4", "台", 9800, "1090118010000000000", "0.13"),
    _g("agri", "谷物", "玉米", "国标二等 水分≤14%|国标三等 水分≤14%", "吨", 2650, "1010101030000000000", "0.09"),
    _g("agri", "谷物", "小麦", "国标二等|国标三等", "吨", 2800, "1010101010000000000", "0.09"),
    _g("agri", "植物油", "一级大豆油", "散装|20L/桶", "吨", 8200, "1030301010000000000", "0.09"),
)

INDUSTRY_WORDS: dict[str, tuple[str, ...]] = {
    "steel": ("钢材贸易", "金属材料", "钢铁物资", "冶金材料"),
    "electronics": ("电子科技", "电子元器件", "智能科技", "电子材料"),
    "chemical": ("化工", "新材料", "化工贸易", "塑化"),
    "textile": ("纺织", "纺织品贸易", "化纤", "服饰材料"),
    "building": ("建材", "建筑材料", "建材贸易", "新型建材"),
    "machinery": ("机械设备", "机电设备", "工业装备", "五金机电"),
    "agri": ("粮油贸易", "农产品", "农业发展", "粮食购销"),
}

# 6% service lines used to plant "goods not in the contract"
SERVICES: tuple[Goods, ...] = (
    _g("service", "信息技术服务", "软件维护服务", "年度", "项", 30000, "3040201990000000000", "0.06"),
    _g("service", "咨询服务", "供应链管理咨询", "-", "项", 50000, "3040602990000000000", "0.06"),
)


def goods_of(category: str) -> list[Goods]:
    return [g for g in CATALOGUE if g.category == category]


CATEGORIES: tuple[str, ...] = tuple(INDUSTRY_WORDS)
