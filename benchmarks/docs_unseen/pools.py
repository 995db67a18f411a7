"""Name, goods and bank pools. The dev and heldout splits draw from disjoint pools."""

from __future__ import annotations

from decimal import Decimal

from common import AREA_CODES, luhn_complete, uscc

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈任姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰文斌海波宇浩然子轩欣怡梓涵晨阳俊杰家豪晓东德胜卫东春生永福建华"

SPLIT_POOLS = {
    "dev": {
        "cities": ["苏州", "无锡", "南京", "常州", "杭州", "宁波", "上海", "合肥", "济南", "南通"],
        "brands": ["恒达", "华盛", "鑫源", "瑞丰", "金鼎", "宏泰", "永信", "中科", "新宇", "天诚", "博远", "联创",
                   "汇通", "润泽", "东方", "德隆", "正邦", "安泰", "盛世", "卓越", "嘉禾", "明辉", "锦程", "伟业",
                   "通达", "昌盛", "鼎峰", "立信"],
        "industries": ["精密机械", "金属材料", "电子科技", "化工", "纺织", "机电设备", "钢铁贸易", "新材料",
                       "五金制品", "电气", "供应链管理", "工业设备"],
        "goods": "dev",
    },
    "heldout": {
        "cities": ["佛山", "东莞", "成都", "武汉", "郑州", "厦门", "青岛", "长沙", "天津", "西安"],
        "brands": ["粤海", "蓉城", "楚天", "中原", "鹭岛", "琴岛", "湘江", "津港", "秦川", "岭南", "巴蜀", "荆楚",
                   "海晟", "鸿运", "泰和", "福临", "丰泽", "益民", "广厦", "振华", "腾飞", "启航", "汉江", "长兴",
                   "银河", "万象", "嘉信", "同创"],
        "industries": ["食品", "建材", "汽车零部件", "纸业", "粮油", "农产品", "包装材料", "塑胶制品", "家具",
                       "医疗器械", "陶瓷", "物流"],
        "goods": "heldout",
    },
}
SUFFIXES = ["有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司"]
ROADS = ["人民路", "长江路", "建设路", "工业园路", "科技大道", "解放路", "中山路", "滨江路", "东环路", "新华路",
         "金桥路", "星湖街", "创业路", "开发区大道", "湖滨路", "南京路", "高新路", "迎宾大道"]
DISTRICTS = {"苏州": "工业园区", "无锡": "新吴区", "南京": "江宁区", "常州": "武进区", "杭州": "西湖区", "宁波": "北仑区",
             "上海": "浦东新区", "合肥": "蜀山区", "济南": "历城区", "南通": "崇川区", "佛山": "顺德区", "东莞": "松山湖",
             "成都": "武侯区", "武汉": "江汉区", "郑州": "金水区", "厦门": "湖里区", "青岛": "黄岛区", "长沙": "岳麓区",
             "天津": "滨海新区", "西安": "雁塔区"}
AREA_PHONE = {"苏州": "0512", "无锡": "0510", "南京": "025", "常州": "0519", "杭州": "0571", "宁波": "0574",
              "上海": "021", "合肥": "0551", "济南": "0531", "南通": "0513", "佛山": "0757", "东莞": "0769",
              "成都": "028", "武汉": "027", "郑州": "0371", "厦门": "0592", "青岛": "0532", "长沙": "0731",
              "天津": "022", "西安": "029"}
BANKS = [("中国工商银行", "6222", "1102"), ("中国建设银行", "6217", "3205"), ("中国农业银行", "6228", "1056"),
         ("中国银行", "6216", "4667"), ("交通银行", "6222", "3250"), ("招商银行", "6214", "5129"),
         ("江苏银行", "6229", "3001"), ("兴业银行", "6229", "4060"), ("中信银行", "6217", "8112"),
         ("浦发银行", "6225", "8901"), ("苏州农村商业银行", "6231", "0706"), ("民生银行", "6226", "6960")]

# goods: (category short name for invoices, name, spec list, unit, price range incl. tax, qty range, rate)
GOODS = {
    "dev": [
        ("黑色金属冶炼压延品", "热轧卷板", ["Q235B 3.0*1500", "Q355B 4.75*1250", "SPHC 2.5*1219"], "吨", (3600, 4800), (20, 300), "0.13"),
        ("黑色金属冶炼压延品", "冷轧钢板", ["DC01 1.0*1250", "SPCC 0.8*1000"], "吨", (4300, 5600), (10, 200), "0.13"),
        ("有色金属冶炼压延品", "电解铜", ["Cu-CATH-1", "1#铜 99.99%"], "吨", (66000, 74000), (2, 30), "0.13"),
        ("有色金属冶炼压延品", "铝合金型材", ["6063-T5", "6061-T6 40*40"], "千克", (19, 26), (500, 20000), "0.13"),
        ("电子元件", "贴片电容", ["0402 104K 50V", "0603 106M 10V"], "千只", (12, 45), (100, 3000), "0.13"),
        ("电子元件", "功率MOSFET", ["IRF540N TO-220", "AO3400 SOT-23"], "个", (0.6, 5.2), (5000, 90000), "0.13"),
        ("集成电路", "单片机芯片", ["STM32F103C8T6", "GD32F303RCT6"], "片", (6.5, 22), (1000, 30000), "0.13"),
        ("化学原料及化学制品", "聚丙烯颗粒", ["PP T30S", "PP K8003"], "吨", (7200, 8800), (10, 120), "0.13"),
        ("化学原料及化学制品", "环氧树脂", ["E-51", "E-44"], "千克", (16, 24), (1000, 20000), "0.13"),
        ("纺织产品", "涤纶长丝", ["150D/48F", "75D/36F DTY"], "吨", (7800, 9800), (5, 80), "0.13"),
        ("机械设备", "数控车床", ["CK6140", "CK6150 1000mm"], "台", (68000, 145000), (1, 8), "0.13"),
        ("机械设备", "液压油缸", ["HSG80/45-500", "HSG100/55-800"], "套", (850, 2600), (20, 400), "0.13"),
        ("电线电缆", "电力电缆", ["YJV-3*95+1*50", "YJV22-4*70"], "米", (160, 420), (500, 8000), "0.13"),
        ("金属制品", "不锈钢紧固件", ["M12*50 A2-70", "M16*80 A4-80"], "千件", (350, 1200), (10, 300), "0.13"),
    ],
    "heldout": [
        ("谷物", "东北大米", ["一级 25kg/袋", "长粒香 10kg/袋"], "吨", (4200, 6800), (20, 300), "0.09"),
        ("食用植物油", "大豆油", ["一级 散装", "压榨一级 20L"], "吨", (8200, 9800), (10, 150), "0.09"),
        ("水泥", "普通硅酸盐水泥", ["P.O 42.5", "P.O 52.5 袋装"], "吨", (380, 560), (200, 3000), "0.13"),
        ("建筑用材料", "螺纹钢", ["HRB400E Φ16", "HRB400E Φ25"], "吨", (3500, 4300), (50, 600), "0.13"),
        ("汽车零部件", "制动盘", ["BD-2231 前轮", "BD-1877 后轮"], "件", (95, 380), (200, 5000), "0.13"),
        ("汽车零部件", "汽车线束总成", ["WH-A12", "WH-C07 主线束"], "套", (420, 1600), (50, 1000), "0.13"),
        ("纸制品", "瓦楞纸板", ["AB楞 5层", "BC楞 7层"], "平方米", (3.2, 7.8), (5000, 80000), "0.13"),
        ("纸及纸板", "白卡纸", ["250g/㎡ 787*1092", "300g/㎡ 889*1194"], "吨", (5200, 7100), (10, 120), "0.13"),
        ("塑料制品", "PE缠绕膜", ["23μm*500mm", "17μm*450mm"], "卷", (38, 85), (500, 9000), "0.13"),
        ("陶瓷制品", "抛釉地砖", ["800*800mm", "600*1200mm"], "平方米", (45, 128), (1000, 15000), "0.13"),
        ("医疗器械", "一次性输液器", ["0.7#带针", "精密过滤型"], "箱", (180, 420), (100, 2000), "0.13"),
        ("家具", "办公桌椅组合", ["1.4m 屏风工位", "1.6m 主管桌"], "套", (880, 3600), (20, 300), "0.13"),
        ("蔬菜", "冷冻西兰花", ["IQF 3-5cm", "IQF 4-6cm 10kg/箱"], "吨", (6200, 8900), (5, 60), "0.09"),
        ("饲料", "豆粕", ["蛋白43%", "蛋白46%"], "吨", (3300, 4200), (50, 500), "0.09"),
    ],
}


def person(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))


def bank_account(rng, bank_idx: int) -> str:
    kind = rng.random()
    if kind < 0.4:
        return "".join(rng.choice("0123456789") for _ in range(rng.choice([17, 19])))
    if kind < 0.7:
        return BANKS[bank_idx][2] + "".join(rng.choice("0123456789") for _ in range(15))
    return luhn_complete(BANKS[bank_idx][1] + "".join(rng.choice("0123456789") for _ in range(14)))


class Companies:
    """Unique companies drawn from a split's pool; role pools (buyers/sellers/others) are disjoint."""

    def __init__(self, rng, split: str):
        self.rng = rng
        self.pool = SPLIT_POOLS[split]
        self.used_names: set[str] = set()
        self.used_ids: set[str] = set()

    def new(self, city=None, industry=None):
        rng = self.rng
        for _ in range(200):
            c = city or rng.choice(self.pool["cities"])
            ind = industry or rng.choice(self.pool["industries"])
            brand = rng.choice(self.pool["brands"])
            if rng.random() < 0.3:
                brand += rng.choice(["新", "兴", "隆", "发", "达", "通"])
            name = f"{c}{brand}{ind}{rng.choice(SUFFIXES)}"
            if name not in self.used_names:
                break
        self.used_names.add(name)
        tid = uscc(rng, c)
        while tid in self.used_ids:
            tid = uscc(rng, c)
        self.used_ids.add(tid)
        bi = rng.randrange(len(BANKS))
        bank = BANKS[bi][0] + c + rng.choice(["分行营业部", "高新区支行", "开发区支行", "城东支行", "新区支行", "分行"])
        phone_kind = rng.random()
        if phone_kind < 0.75:
            phone = f"{AREA_PHONE[c]}-{rng.randint(5, 8)}{rng.randint(0, 9999999):07d}"[: len(AREA_PHONE[c]) + 9]
        else:
            phone = "1" + rng.choice(["38", "39", "58", "86", "35", "37", "89"]) + f"{rng.randint(0, 99999999):08d}"
        addr = f"{c}市{DISTRICTS[c]}{rng.choice(ROADS)}{rng.randint(1, 999)}号"
        if rng.random() < 0.3:
            addr += f"{rng.randint(1, 12)}幢{rng.randint(1, 6)}0{rng.randint(1, 9)}室"
        return {
            "name": name, "tax_id": tid, "address": addr, "phone": phone, "bank": bank,
            "account": bank_account(rng, bi), "legal_rep": person(rng), "city": c,
        }


def goods_pool(split: str):
    return GOODS[SPLIT_POOLS[split]["goods"]]


def price_decimal(rng, lo, hi) -> Decimal:
    if hi < 10:
        return Decimal(str(round(rng.uniform(lo, hi), 3)))
    if hi < 100:
        return Decimal(str(round(rng.uniform(lo, hi), 2)))
    v = rng.uniform(lo, hi)
    step = 10 if hi > 2000 else 1
    return Decimal(int(v / step) * step)


assert set(AREA_CODES) >= set(SPLIT_POOLS["dev"]["cities"]) | set(SPLIT_POOLS["heldout"]["cities"])
