"""Shared constants and the document model of the fictional 青禾农村商业银行 intranet corpus."""
from __future__ import annotations

import datetime as _dt
import random
from dataclasses import dataclass, field

BANK = "青禾农村商业银行"
BANK_SHORT = "青禾农商银行"
BANK_FULL = "青禾农村商业银行股份有限公司"
CITY = "青禾市"

# (name, short, address, phone, head)
BRANCHES = [
    ("营业部", "营业部", "青禾市禾城区丰登路188号", "0578-2261001", "沈立群"),
    ("城东支行", "城东", "青禾市禾城区东湖路56号", "0578-2261120", "许明哲"),
    ("城西支行", "城西", "青禾市禾城区西山大道203号", "0578-2261135", "韩玉兰"),
    ("南湖支行", "南湖", "青禾市南湖区滨湖路9号", "0578-2261148", "周启航"),
    ("新港支行", "新港", "青禾市新港区港兴路77号", "0578-2261162", "吕向东"),
    ("禾丰支行", "禾丰", "禾丰县禾丰镇人民路12号", "0578-3321006", "钱国栋"),
    ("云溪支行", "云溪", "云溪县云溪镇溪口街31号", "0578-3456018", "蒋慧敏"),
    ("石桥支行", "石桥", "禾丰县石桥镇老街路5号", "0578-3321088", "陆建平"),
    ("桃源支行", "桃源", "云溪县桃源乡桃花路18号", "0578-3456072", "孔德胜"),
    ("龙井支行", "龙井", "青禾市南湖区龙井镇茶乡路66号", "0578-2261190", "施雅琴"),
    ("白沙支行", "白沙", "云溪县白沙镇沿江路101号", "0578-3456095", "冯志远"),
    ("柳湾支行", "柳湾", "禾丰县柳湾乡柳湾街8号", "0578-3321140", "杜春燕"),
]
BRANCH_NAMES = [b[0] for b in BRANCHES]

DEPTS = ["办公室", "人力资源部", "财务会计部", "信息科技部", "个人金融部", "公司金融部", "普惠金融部",
         "风险管理部", "合规与法律部", "内控审计部", "运营管理部", "网络金融部", "安全保卫部", "工会委员会",
         "消费者权益保护部", "资产负债管理部", "金融市场部"]

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方邹熊白孟秦邱侯江尹薛闫段雷黎史龙陶贺顾毛郝龚邵万覃武戴孔汤庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍申尤毕聂柴焦向柯")
GIVEN = ["建华", "丽娟", "晓东", "海燕", "志强", "秀英", "国庆", "雨萱", "浩然", "梦琪", "俊杰", "子涵", "文博",
         "欣怡", "伟民", "静怡", "鹏飞", "佳琪", "振宇", "思远", "晓雯", "家豪", "慧娟", "立新", "春梅", "宏伟",
         "雪莲", "天佑", "婉清", "旭东", "若楠", "永康", "书瑶", "明轩", "凤英", "嘉怡", "德明", "玉洁", "成刚",
         "诗涵", "瑞峰", "晨曦", "卫国", "淑芬", "一鸣", "可馨", "光辉", "雅婷", "少华", "晴川", "建军", "美玲",
         "乐天", "沛然", "兆丰", "桂芳", "锦程", "晓光", "润泽", "秋月", "宇航", "海峰", "丹青", "松涛", "雨桐"]

VILLAGES = ["下塘村", "上林村", "杨家埠村", "青石岭村", "荷花塘村", "茶园坞村", "大樟树村", "溪头村", "枫林村",
            "南坞村", "石门村", "竹溪村", "东岙村", "梅岭村", "白鹭湾村", "桂花岭村", "高坪村", "里畈村",
            "沙洲村", "柿子坪村", "芦花荡村", "凤凰山村", "双溪口村", "黄泥岗村", "新丰村", "长塘村",
            "马鞍山村", "西岭村", "鲤鱼塘村", "金鸡岭村", "杏花村", "桃坞村", "葛家湾村", "陈家堡村",
            "龙潭村", "柳树湾村", "方山村", "楼下村", "前洋村", "后溪村", "清水塘村", "稻香村", "麦垄村",
            "莲花坞村", "石板桥村", "苍岭村", "雁荡村", "云峰村", "田螺坑村", "老鹰岩村", "花园岗村",
            "蓝田村", "樟坑村", "大源村", "小源村", "湖田村", "塘坝村", "秀水村", "岩前村", "松树坪村",
            "鹤溪村", "谷丰村", "栗园村", "橘乡村", "苎麻坪村", "竹林湾村", "乌石村", "泉水村", "坪上村",
            "林家坞村", "余家畈村", "汪家塘村", "章家岭村", "吴家坝村", "潘家桥村", "徐家弄村", "盛家堰村",
            "邵家坞村", "仙岩村", "金沙村", "碧溪村", "玉泉村", "瑶池村", "青云村", "鹿鸣村", "望江村",
            "新塘村", "古樟村", "霞岭村", "溪南村", "溪北村", "东山村", "西坑村", "南岭村", "北湖村"]


@dataclass
class Doc:
    path: str                 # relative path with extension, as written under the output dir
    title: str
    date: str                 # YYYY-MM-DD publication date
    blocks: list              # ("h", text) ("p", text) ("ul", [items]) ("table", header, rows) ("right", text)
    dept: str = "办公室"
    date_style: str = "top"   # top | iso | end | meta | update | none
    kind: str = "notice"
    series: str | None = None
    year: int | None = None
    meta_date: bool = False   # HTML: also emit <meta name="date">
    qa: list = field(default_factory=list)

    @property
    def fmt(self) -> str:
        return self.path.rsplit(".", 1)[-1]


def d(s: str) -> _dt.date:
    return _dt.date.fromisoformat(s)


def cn_date(s: str) -> str:
    x = d(s)
    return f"{x.year}年{x.month}月{x.day}日"


def cn_md(s: str) -> str:
    x = d(s)
    return f"{x.month}月{x.day}日"


def rng_for(*parts) -> random.Random:
    return random.Random("|".join(str(p) for p in parts))


def pick(rng: random.Random, options):
    return options[rng.randrange(len(options))]


def person(rng: random.Random, used: set | None = None) -> str:
    for _ in range(1000):
        n = pick(rng, SURNAMES) + pick(rng, GIVEN)
        if used is None or n not in used:
            if used is not None:
                used.add(n)
            return n
    raise RuntimeError("name pool exhausted")


def md_table(header, rows):
    return ("table", list(header), [list(r) for r in rows])


def parse_body(text: str) -> list:
    """Mini markup: '## ' heading, '- ' bullets, '|' table rows (first = header), '>> ' right-aligned line,
    blank line separates paragraphs."""
    blocks: list = []
    para: list[str] = []
    bullets: list[str] = []
    table: list[list[str]] = []

    def flush():
        nonlocal para, bullets, table
        if para:
            blocks.append(("p", "".join(para)))
            para = []
        if bullets:
            blocks.append(("ul", bullets))
            bullets = []
        if table:
            blocks.append(("table", table[0], table[1:]))
            table = []

    for raw in text.strip().splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("## "):
            flush()
            blocks.append(("h", line[3:].strip()))
        elif line.startswith("- "):
            if para or table:
                flush()
            bullets.append(line[2:].strip())
        elif line.startswith("|"):
            if para or bullets:
                flush()
            cells = [c.strip() for c in line.strip("|").split("|")]
            if all(set(c) <= set("-: ") for c in cells):
                continue
            table.append(cells)
        elif line.startswith(">> "):
            flush()
            blocks.append(("right", line[3:].strip()))
        else:
            if bullets or table:
                flush()
            para.append(line)
    flush()
    return blocks


def plain_text(doc: Doc) -> str:
    """Approximate visible text of a document (title + blocks + date lines), used when generating questions."""
    out = [doc.title]
    for b in doc.blocks:
        if b[0] in ("h", "p", "right"):
            out.append(b[1])
        elif b[0] == "ul":
            out.extend(b[1])
        elif b[0] == "table":
            out.append(" ".join(b[1]))
            for r in b[2]:
                out.append(" ".join(r))
    return "\n".join(out)
