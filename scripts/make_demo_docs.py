"""Generate the demo knowledge base in ``samples/demo/`` (documents of a fictional bank).

All documents belong to the invented "青禾农村商业银行"; every fact is made up. The output is
deterministic: running the script twice with the same library versions gives identical bytes.

Usage::

    .venv/bin/python scripts/make_demo_docs.py              # write samples/demo/
    .venv/bin/python scripts/make_demo_docs.py --out DIR    # write elsewhere
    .venv/bin/python scripts/make_demo_docs.py --check-ocr  # also OCR the scan and print accuracy

Generation needs the Debian package fonts-noto-cjk (for the scanned PDF only); the text PDF uses
reportlab's built-in CID font ``STSong-Light``, whose text layer extracts as proper Unicode.
Nothing here is used at run time by xiaoyin.
"""

from __future__ import annotations

import argparse
import json
import re
import time
import zipfile
from datetime import datetime
from pathlib import Path

BANK = "青禾农村商业银行"
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "samples" / "demo"
FIXED_DT = datetime(2025, 1, 2, 9, 0, 0)
FIXED_ZIP_TIME = (2025, 1, 2, 9, 0, 0)
FONT_DIR = Path("/usr/share/fonts/opentype/noto")

MD_NAME = "个人贷款管理办法.md"
DOCX_NAME = "信用卡领用合约.docx"
PDF_NAME = "反洗钱操作规程.pdf"
SCAN_NAME = "对公账户开户须知（扫描件）.pdf"
XLSX_NAME = "理财产品说明书.xlsx"
HTML_NAME = "网点服务指南.html"
TXT_NAME = "客服常见问题.txt"

_DIGITS = "零一二三四五六七八九"


def cn_num(n: int) -> str:
    """1..99 as Chinese numerals (第一条 … 第九十九条)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "十" if tens == 1 else _DIGITS[tens] + "十"
    return head + (_DIGITS[ones] if ones else "")


# --------------------------------------------------------------------------------------------
# 1. Markdown: 个人贷款管理办法
# --------------------------------------------------------------------------------------------

LOAN_CHAPTERS: list[tuple[str, list[str]]] = [
    (
        "总则",
        [
            "为规范本行个人贷款业务经营行为，加强个人贷款业务审慎经营管理，有效防范信贷风险，根据《中华人民共和国商业银行法》"
            "《个人贷款管理办法》等法律法规和监管规定，结合本行实际，制定本办法。",
            "本办法所称个人贷款，是指本行向符合条件的自然人发放的用于个人消费、生产经营等用途的本外币贷款，"
            "包括个人住房贷款、个人消费贷款和个人经营性贷款。",
            "个人贷款业务应当遵循依法合规、审慎经营、平等自愿、公平诚信的原则，实行贷前调查、贷时审查、贷后检查的全流程管理。",
            "本办法适用于本行总行营业部及各支行。总行个人金融部是个人贷款业务的归口管理部门；总行授信审批部负责个人贷款的审查审批；"
            "总行风险管理部负责个人贷款风险监测与资产质量管理。",
        ],
    ),
    (
        "贷款对象与条件",
        [
            "借款人应当同时具备以下条件：\n（一）年满18周岁、具有完全民事行为能力的中华人民共和国公民；\n"
            "（二）贷款用途明确、合法，不得用于购买股票、期货、理财产品等投资，不得用于借贷牟利；\n"
            "（三）具有稳定的收入来源和按期足额偿还贷款本息的能力；\n"
            "（四）信用状况良好，近两年内无连续三期或累计六期以上的逾期记录；\n（五）本行规定的其他条件。",
            "借款人年龄与贷款期限之和原则上不得超过70周岁。",
            "本行对借款人实行债务收入比（DTI）控制。借款人月均全部债务支出（含本笔贷款的月还款额）与月均收入之比不得超过50%；"
            "超过该比例的，不得发放贷款。",
        ],
    ),
    (
        "贷款期限与利率",
        [
            "个人贷款期限根据贷款用途、借款人还款能力和担保方式合理确定：\n（一）个人住房贷款期限最长不超过30年；\n"
            "（二）个人消费贷款期限最长不超过5年；\n（三）个人经营性贷款期限最长不超过5年，其中用于流动资金周转的不超过3年。",
            "个人贷款利率以贷款发放时最近一次公布的贷款市场报价利率（LPR）为定价基准加点确定。贷款期限在5年以内（含）的，"
            "参照1年期LPR；贷款期限在5年以上的，参照5年期以上LPR。",
            "个人贷款加点幅度按以下标准执行：\n（一）个人住房贷款：在5年期以上LPR基础上减20个基点至加60个基点，并不得低于所在城市的房贷利率政策下限；\n"
            "（二）个人消费贷款：在1年期LPR基础上加80个基点至300个基点；\n"
            "（三）个人经营性贷款：在1年期LPR基础上加50个基点至250个基点。\n"
            "具体加点值由本行贷款定价系统根据客户信用评级、担保方式和综合贡献度确定。",
            "个人贷款采用浮动利率的，重定价周期为1年，重定价日为每年的1月1日，按重定价日前最近一次公布的相应期限LPR加上合同约定的加点值调整执行利率。",
        ],
    ),
    (
        "受理与调查",
        [
            "借款人申请个人贷款，应当提交以下材料：有效身份证件、婚姻状况证明、收入证明或近六个月银行流水、贷款用途证明材料，"
            "以及担保贷款所需的抵押物、质押物权属证明或保证人资料。",
            "本行实行贷前调查双人制，调查人员应当与借款人面谈，通过现场核实、电话查问和信息咨询等方式，核实借款人身份、收入、"
            "负债、用途及担保情况的真实性，并如实撰写调查报告。",
            "以房产抵押的，抵押率原则上不超过评估价值的70%。",
        ],
    ),
    (
        "审查与审批",
        [
            "本行个人贷款实行审贷分离、分级审批制度。审查人员应当对调查报告及申请材料的完整性、合规性和真实性进行审查，并提出审查意见。",
            "个人贷款审批权限按借款人在本行的授信总额划分：\n（一）50万元（含）以下的，由支行行长审批；\n"
            "（二）50万元以上至300万元（含）的，由总行授信审批部审批；\n"
            "（三）300万元以上的，提交总行贷款审查委员会审议后，由行长审批。\n任何机构和个人不得越权审批或化整为零规避审批权限。",
            "本行不得向关系人发放信用贷款；向关系人发放担保贷款的条件不得优于其他借款人同类贷款的条件。",
        ],
    ),
    (
        "发放与支付",
        [
            "贷款发放前，本行应当与借款人签订书面借款合同，并由借款人当面签署，落实放款条件。",
            "个人贷款资金应当采用贷款人受托支付方式向借款人交易对象支付，但下列情形可以采用借款人自主支付：\n"
            "（一）个人消费贷款单笔支付金额不超过30万元的；\n（二）个人经营性贷款单笔支付金额不超过50万元的。\n"
            "采用自主支付的，本行应当要求借款人定期报告贷款资金支付情况，并通过账户分析、凭证查验等方式核查贷款用途。",
        ],
    ),
    (
        "贷后管理",
        [
            "贷款发放后30日内，经办支行应当进行首次贷后检查，重点核查贷款资金用途是否与合同约定一致。",
            "贷后常规检查频率如下：\n（一）个人住房贷款每年至少检查一次；\n（二）个人消费贷款每半年至少检查一次；\n"
            "（三）个人经营性贷款每季度至少检查一次。\n借款人出现收入明显下降、涉诉、失联等风险信号的，应当在发现后5个工作日内开展专项检查。",
            "贷款逾期后，按以下方式催收：逾期30天（含）以内的，以电话、短信方式催收；逾期30天以上的，实行上门催收并发送书面催收通知；"
            "逾期90天以上的，纳入不良贷款管理，依法启动诉讼或担保物处置程序。",
            "本行按照贷款风险分类监管规定，对个人贷款实行正常、关注、次级、可疑、损失五级分类管理，并按季度进行风险分类复核。",
        ],
    ),
    (
        "附则",
        [
            "本办法由总行个人金融部负责解释和修订。",
            "本办法自2024年3月1日起施行。原《青禾农村商业银行个人贷款管理暂行办法》（QH-DK-2019-006）同时废止。",
        ],
    ),
]


def loan_markdown() -> str:
    """The loan policy as Markdown: chapters as ``##`` headings, articles numbered 第一条…."""
    lines = [
        f"# {BANK}个人贷款管理办法",
        "",
        "> 制度编号：QH-DK-2024-017　　发文字号：青禾农商银发〔2024〕17号　　归口部门：个人金融部",
        "",
    ]
    n = 0
    for i, (title, articles) in enumerate(LOAN_CHAPTERS, 1):
        lines += [f"## 第{cn_num(i)}章　{title}", ""]
        for text in articles:
            n += 1
            body = text.replace("\n", "\n\n")
            lines += [f"第{cn_num(n)}条　{body}", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# 2. DOCX: 信用卡领用合约
# --------------------------------------------------------------------------------------------

CARD_SECTIONS: list[tuple[str, list[str]]] = [
    (
        "一、总则",
        [
            f"本合约是{BANK}（以下简称“甲方”）与青禾信用卡主卡及附属卡申请人（以下简称“乙方”）之间就信用卡的申领、使用、还款等事项订立的协议。"
            "乙方在申请表上签名或通过电子渠道确认，即表示已阅读、理解并同意本合约全部条款。",
            "甲方已采用加粗方式提示乙方注意本合约中有关费用、利息、违约责任等与乙方有重大利害关系的条款。",
        ],
    ),
    (
        "二、卡片领用与激活",
        [
            "乙方收到卡片后，应当通过甲方手机银行、客服热线或营业网点办理激活，并设置交易密码。卡片未激活前不能使用，也不计收年费。",
            "乙方应妥善保管卡片、密码及动态验证码，不得出租、出借或转让信用卡。",
        ],
    ),
    (
        "三、信用额度与用卡",
        [
            "甲方根据乙方的资信状况核定信用额度，并有权根据乙方用卡及还款情况调整信用额度。",
            "信用卡仅限用于合法的个人消费，不得用于生产经营、投资以及其他非消费领域。",
        ],
    ),
    (
        "四、还款",
        [
            "甲方每月向乙方寄送或推送对账单。到期还款日为账单日后第20天。",
            "免息还款期：乙方在到期还款日前全额还清当期应还款项的，消费交易可享受免息还款期，最长56天。取现交易不享受免息还款期。",
            "最低还款额为当期应还款项的10%，加上当期应还的分期本金及手续费、违约金和利息。",
        ],
    ),
    (
        "五、利息与费用",
        [
            "乙方未能在到期还款日前全额还款的，甲方按透支日利率万分之五，自记账日起按日计收透支利息，按月计收复利。",
            "甲方就信用卡服务收取的主要费用如下表所示（收费标准如有调整，甲方将提前30日公告）：",
        ],
    ),
]

CARD_SECTIONS_AFTER: list[tuple[str, list[str]]] = [
    (
        "六、违约责任",
        [
            "乙方未能在到期还款日前偿还最低还款额的，视为逾期，甲方有权收取违约金，并将逾期信息报送金融信用信息基础数据库。",
            "甲方不再收取滞纳金，也不收取超限费。",
            "乙方逾期还款持续90天以上的，甲方有权停止乙方信用卡的使用，并要求乙方立即清偿全部欠款。",
        ],
    ),
    (
        "七、其他",
        [
            "乙方的通讯地址、联系电话、工作单位等信息发生变更时，应及时通知甲方。",
            "本合约适用中华人民共和国法律。因本合约引起的争议，双方协商解决；协商不成的，向甲方所在地人民法院提起诉讼。",
            "本合约（2025年版）自2025年1月1日起施行。",
        ],
    ),
]

# (项目, 收费标准, 说明); rows whose 项目 is "" are merged with the row above.
CARD_FEES: list[tuple[str, str, str]] = [
    ("年费（普卡）", "50元/年", "首年免年费；当年刷卡消费满5次（不限金额）免次年年费"),
    ("年费（金卡）", "200元/年", "首年免年费；当年刷卡消费满10次免次年年费"),
    ("年费（白金卡）", "1000元/年", "当年消费累计满10万元免次年年费"),
    ("境内取现手续费", "取现金额的1%，每笔最低10元", "含ATM取现及柜面取现；取现不享受免息还款期"),
    ("境外取现手续费", "取现金额的3%，每笔最低30元", "按交易金额折合人民币计收"),
    ("分期手续费率", "3期：每期0.80%", "按分期本金计算，随每期账单收取"),
    ("", "6期：每期0.70%", "按分期本金计算，随每期账单收取"),
    ("", "12期：每期0.66%", "按分期本金计算，随每期账单收取"),
    ("", "24期：每期0.65%", "按分期本金计算，随每期账单收取"),
    ("滞纳金", "不收取", "已取消，改为收取违约金"),
    ("违约金", "最低还款额未还部分的5%，最低10元，最高500元", "未在到期还款日前还清最低还款额时收取"),
    ("超限费", "不收取", "—"),
    ("补发卡/换卡工本费", "15元/张", "卡片到期换卡免费"),
]


def card_docx(path: Path) -> None:
    """Write the credit-card agreement with headings and a fee table (first column partly merged)."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.core_properties.title = f"{BANK}信用卡领用合约"
    doc.core_properties.author = BANK
    doc.core_properties.created = FIXED_DT
    doc.core_properties.modified = FIXED_DT
    doc.core_properties.last_modified_by = BANK
    doc.core_properties.revision = 1
    doc.add_heading(f"{BANK}信用卡领用合约（2025年版）", level=0)
    for title, paras in CARD_SECTIONS:
        doc.add_heading(title, level=1)
        for p in paras:
            doc.add_paragraph(p)
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("收费项目", "收费标准", "说明"), strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    start = None
    for i, (item, fee, note) in enumerate(CARD_FEES, 1):
        cells = table.add_row().cells
        cells[1].text, cells[2].text = fee, note
        if item:
            cells[0].text = item
            start = i
        else:
            table.cell(start, 0).merge(cells[0])
    for row in table.rows:
        for cell in row.cells:
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(10)
    for title, paras in CARD_SECTIONS_AFTER:
        doc.add_heading(title, level=1)
        for p in paras:
            doc.add_paragraph(p)
    doc.save(path)
    _normalize_ooxml(path)


# --------------------------------------------------------------------------------------------
# 3. Text PDF: 反洗钱操作规程
# --------------------------------------------------------------------------------------------

AML_CHAPTERS: list[tuple[str, list[str]]] = [
    (
        "总则",
        [
            "为预防洗钱、恐怖融资和逃税等违法犯罪活动，规范本行反洗钱工作，根据《中华人民共和国反洗钱法》《金融机构大额交易和可疑交易报告管理办法》"
            "《金融机构客户尽职调查和客户身份资料及交易记录保存管理办法》等规定，制定本规程。",
            "本规程适用于本行各部门、总行营业部及各支行的全体员工。各机构办理存款、贷款、支付结算、代理销售、理财等业务，均应遵守本规程。",
            "本行反洗钱工作遵循“风险为本、依法合规、全员参与、保守秘密”的原则。",
        ],
    ),
    (
        "组织与职责",
        [
            "本行成立反洗钱工作领导小组，由行长任组长，分管合规工作的副行长任副组长，负责审定反洗钱内部控制制度，研究决定反洗钱工作中的重大事项。",
            "总行合规管理部是反洗钱工作的牵头部门，负责制度建设、可疑交易分析报告、反洗钱培训和监督检查。总行运营管理部负责大额交易报告数据的采集与报送。",
            "各支行行长是本机构反洗钱工作第一责任人。各支行应当设立反洗钱专岗，由专人负责本机构的客户身份识别、交易监测和预警处理工作。",
        ],
    ),
    (
        "客户尽职调查",
        [
            "有下列情形之一的，本行应当开展客户尽职调查：\n（一）与客户建立业务关系，包括开立账户、办理信用卡、签订贷款合同等；\n"
            "（二）为不在本行开立账户的客户提供单笔人民币5万元以上或者外币等值1万美元以上的现金存取、汇兑等一次性金融服务；\n"
            "（三）怀疑客户涉嫌洗钱或者恐怖融资的；\n（四）对先前获得的客户身份资料的真实性、有效性或者完整性存疑的。",
            "客户尽职调查按以下步骤进行：\n（一）识别客户身份，核对有效身份证件或者身份证明文件，并通过公民身份信息联网核查系统进行核验；\n"
            "（二）了解客户建立业务关系和办理业务的目的和性质；\n"
            "（三）对单位客户，识别并核实其受益所有人，即最终直接或者间接拥有超过25%股权或表决权的自然人；\n"
            "（四）根据客户特征、地域、业务和行业等因素，评定客户洗钱风险等级；\n"
            "（五）登记客户身份基本信息，留存有效身份证件的复印件或者影印件；\n"
            "（六）在业务关系存续期间，开展持续的客户尽职调查。",
            "客户洗钱风险等级分为高、中、低三级。对高风险客户，应当至少每半年复评一次，并采取强化尽职调查措施，"
            "包括获取业务关系所需的资金来源证明、经高级管理层批准后方可建立或者维持业务关系；对中风险客户，至少每年复评一次；"
            "对低风险客户，至少每三年复评一次。",
            "客户拒绝配合尽职调查或者提供的身份资料明显虚假的，本行不得为其开立账户或者办理业务，已建立业务关系的应当中止交易，并视情况提交可疑交易报告。",
        ],
    ),
    (
        "大额交易报告",
        [
            "本行办理的下列交易，应当作为大额交易报告：\n"
            "（一）当日单笔或者累计交易人民币5万元以上（含5万元）、外币等值1万美元以上（含1万美元）的现金缴存、现金支取、现金结售汇、现钞兑换、现金汇款等现金收付；\n"
            "（二）非自然人客户银行账户与其他银行账户发生当日单笔或者累计交易人民币200万元以上（含200万元）、外币等值20万美元以上（含20万美元）的款项划转；\n"
            "（三）自然人客户银行账户与其他银行账户发生当日单笔或者累计交易人民币50万元以上（含50万元）、外币等值10万美元以上（含10万美元）的境内款项划转；\n"
            "（四）自然人客户银行账户与其他银行账户发生当日单笔或者累计交易人民币20万元以上（含20万元）、外币等值1万美元以上（含1万美元）的跨境款项划转。",
            "大额交易报告由反洗钱系统自动抽取生成，运营管理部应当在大额交易发生之日起5个工作日内，通过大额和可疑交易报告系统报送中国反洗钱监测分析中心。",
            "对于系统抽取的大额交易数据，经办网点应当在交易发生后2个工作日内完成补录和校验，确保交易要素完整、准确。",
        ],
    ),
    (
        "可疑交易报告",
        [
            "本行建立可疑交易监测标准体系，由系统按照监测指标生成预警，并结合人工分析识别可疑交易。客户的交易与其身份、经营状况或者资金来源明显不符，"
            "或者短期内资金分散转入、集中转出，或者集中转入、分散转出的，应当重点关注。",
            "各支行反洗钱专岗应当在系统预警生成后10个工作日内完成人工甄别，形成分析意见并逐级上报。",
            "总行合规管理部确认为可疑交易后，应当在3个工作日内通过大额和可疑交易报告系统报送中国反洗钱监测分析中心。",
            "可疑交易涉嫌恐怖活动、明显涉嫌犯罪或者情况紧急的，应当立即报送可疑交易报告，同时向当地公安机关和中国人民银行分支机构报告，并采取冻结等必要措施。",
            "本行工作人员不得向客户或者其他无关人员泄露可疑交易报告的任何信息。",
        ],
    ),
    (
        "客户身份资料和交易记录保存",
        [
            "客户身份资料自业务关系结束当年或者一次性交易记账当年计起至少保存10年。",
            "交易记录自交易记账当年计起至少保存10年。",
            "客户身份资料和交易记录涉及正在被反洗钱调查的可疑交易活动，且反洗钱调查工作在前款规定的保存期届满时仍未结束的，应当保存至反洗钱调查工作结束。",
            "保存的资料应当采取必要的管理措施和技术措施，防止丢失、损毁和泄露，并确保能够足以重现每项交易。",
        ],
    ),
    (
        "培训、检查与责任追究",
        [
            "总行合规管理部每年至少组织一次全员反洗钱培训；新入职员工应当在上岗前完成反洗钱基础培训并考试合格。",
            "总行审计部每年至少开展一次反洗钱专项审计，审计结果向董事会报告。",
            "员工违反本规程，未按规定履行客户尽职调查、大额交易和可疑交易报告或者资料保存义务的，依照本行员工违规行为处理办法追究责任；涉嫌犯罪的，移送司法机关处理。",
        ],
    ),
    (
        "附则",
        [
            "本规程由总行合规管理部负责解释。",
            "本规程自2023年7月1日起施行，制度编号QH-FXQ-2023-005。",
        ],
    ),
]


def aml_pdf(path: Path) -> None:
    """Write the AML procedure as a multi-page text PDF (reportlab, STSong-Light CID font)."""
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    font = "STSong-Light"
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    title = ParagraphStyle("t", fontName=font, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=6)
    sub = ParagraphStyle("s", fontName=font, fontSize=10, leading=16, alignment=TA_CENTER, spaceAfter=12)
    chap = ParagraphStyle(
        "c",
        fontName=font,
        fontSize=14,
        leading=22,
        alignment=TA_CENTER,
        spaceBefore=10,
        spaceAfter=6,
        keepWithNext=1,
    )
    body = ParagraphStyle(
        "b", fontName=font, fontSize=11.5, leading=20, wordWrap="CJK", firstLineIndent=23, spaceAfter=4
    )

    def footer(canvas, doc_) -> None:
        canvas.setFont(font, 9)
        canvas.drawCentredString(A4[0] / 2, 1.2 * cm, f"— {doc_.page} —")

    story = [
        Paragraph(f"{BANK}反洗钱操作规程", title),
        Paragraph("制度编号：QH-FXQ-2023-005　　归口部门：合规管理部", sub),
    ]
    n = 0
    for i, (name, articles) in enumerate(AML_CHAPTERS, 1):
        story.append(Paragraph(f"第{cn_num(i)}章　{name}", chap))
        for text in articles:
            n += 1
            first, *rest = text.split("\n")
            story.append(Paragraph(f"第{cn_num(n)}条　{first}", body))
            story += [Paragraph(line, body) for line in rest]
        story.append(Spacer(1, 4))
    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=2.6 * cm,
        rightMargin=2.6 * cm,
        topMargin=2.5 * cm,
        bottomMargin=2.5 * cm,
        invariant=1,
        title=f"{BANK}反洗钱操作规程",
        author=BANK,
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)


# --------------------------------------------------------------------------------------------
# 4. Scanned PDF: 对公账户开户须知（扫描件）
# --------------------------------------------------------------------------------------------

# Each page: title line(s) first ("# " = big centred heading), then body lines (wrapped when drawn).
SCAN_PAGES: list[str] = [
    f"""# {BANK}
# 对公账户开户须知
一、适用范围
本须知适用于企业法人、非法人企业、机关、事业单位、社会团体及个体工商户在本行开立基本存款账户、一般存款账户和专用存款账户。
二、开户所需材料
1．营业执照正本原件；
2．法定代表人（单位负责人）有效身份证件原件；
3．授权他人办理的，须提供法定代表人签署的授权书及经办人有效身份证件原件；
4．公司章程或合伙协议（企业客户提供）；
5．单位公章、财务专用章及法定代表人名章，用于预留银行印鉴；
6．受益所有人信息登记表及相关证明材料；
7．实际经营场所证明，如房屋租赁合同或产权证明；
8．本行根据客户尽职调查需要要求提供的其他材料。
以上材料均需加盖单位公章。复印件由本行工作人员当场核对原件后留存。""",
    """三、办理流程
预约开户→提交材料→法定代表人开户意愿核实（临柜面签或视频核实）→本行审核→必要时实地核实经营场所→开立账户并签订结算服务协议。
四、办理时限
资料齐全、符合要求的，本行一般在2个工作日内完成开户；需要实地核实经营场所的，办理时间不超过5个工作日。
五、收费标准
1．开户手续费：免收；
2．小微企业账户管理费：免收；
3．企业网银数字证书：首张免费，补办每张50元；
4．单位结算卡：免收工本费；
5．转账支票：每本25元。
六、温馨提示
单位开户信息发生变更的，应当自变更之日起5个工作日内到开户网点办理变更手续。
咨询电话：400-826-9588（工作日8:30-17:00）""",
]


def _cjk_font(name: str, size: int):
    from PIL import ImageFont

    return ImageFont.truetype(str(FONT_DIR / name), size, index=2)  # index 2 = Simplified Chinese


def _wrap(text: str, font, width: int) -> list[str]:
    """Greedy character wrapping; keeps closing punctuation off the start of a line."""
    lines: list[str] = []
    cur = ""
    for ch in text:
        if font.getlength(cur + ch) > width and cur and ch not in "，。；：、）”":
            lines.append(cur)
            cur = ch
        else:
            cur += ch
    return [*lines, cur] if cur else lines


def _scan_page(text: str, seed: int):
    """Render one A4 page at 200 dpi, then degrade it slightly like a scanner would."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter

    w, h, margin = 1654, 2339, 200
    img = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(img)
    head, body = _cjk_font("NotoSansCJK-Bold.ttc", 52), _cjk_font("NotoSerifCJK-Regular.ttc", 34)
    sect = _cjk_font("NotoSansCJK-Bold.ttc", 38)
    y = margin
    for raw in text.split("\n"):
        if raw.startswith("# "):
            line = raw[2:]
            draw.text(((w - head.getlength(line)) / 2, y), line, font=head, fill=25)
            y += 80
            continue
        is_section = raw[:2] in {"一、", "二、", "三、", "四、", "五、", "六、"}
        font = sect if is_section else body
        if is_section:
            y += 18
        indent = 0 if is_section else 68
        # first line indented; continuation lines use the full width
        first = _wrap(raw, font, w - 2 * margin - indent)[0] if raw else ""
        lines = [first, *_wrap(raw[len(first) :], font, w - 2 * margin)]
        for i, line in enumerate(lines):
            draw.text((margin + (indent if i == 0 else 0), y), line, font=font, fill=30)
            y += 58
    rng = np.random.default_rng(seed)
    img = img.rotate(0.6 if seed % 2 else -0.4, resample=Image.Resampling.BICUBIC, fillcolor=255)
    img = img.filter(ImageFilter.GaussianBlur(0.5))
    arr = np.asarray(img, dtype=np.float32) * 0.96 + 6  # slightly grey paper
    arr += rng.normal(0, 7, arr.shape)
    specks = rng.random(arr.shape) < 0.0004
    arr[specks] = 90
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), mode="L")


def scan_pdf(path: Path) -> None:
    """Write the image-only (no text layer) PDF of the corporate-account notice."""
    pages = [_scan_page(t, seed=i + 1) for i, t in enumerate(SCAN_PAGES)]
    stamp = time.strptime("20250102090000", "%Y%m%d%H%M%S")
    pages[0].save(
        path,
        "PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=200.0,
        quality=70,
        title="对公账户开户须知",
        creationDate=stamp,
        modDate=stamp,
    )


# --------------------------------------------------------------------------------------------
# 5. XLSX: 理财产品说明书
# --------------------------------------------------------------------------------------------

PRODUCT_HEADER = [
    "产品代码",
    "产品名称",
    "风险等级",
    "产品类型",
    "期限",
    "业绩比较基准（年化）",
    "起购金额",
    "募集期",
]
PRODUCTS = [
    [
        "QH-LC-2025-001",
        "青禾天天盈现金管理1号",
        "R1",
        "现金管理类",
        "无固定期限（T+1赎回）",
        "1.50%-1.90%",
        "1元",
        "长期开放",
    ],
    [
        "QH-LC-2025-002",
        "青禾安盈90天持有期",
        "R2",
        "固定收益类",
        "90天",
        "2.30%-2.80%",
        "1万元",
        "2025年1月6日至1月12日",
    ],
    [
        "QH-LC-2025-003",
        "青禾丰收180天封闭式",
        "R2",
        "固定收益类",
        "180天",
        "2.60%-3.20%",
        "1万元",
        "2025年1月6日至1月12日",
    ],
    [
        "QH-LC-2025-004",
        "青禾稳进一年定开",
        "R3",
        "固定收益类",
        "365天",
        "3.00%-3.80%",
        "1万元",
        "2025年2月10日至2月16日",
    ],
    [
        "QH-LC-2025-005",
        "青禾睿选混合增强",
        "R4",
        "混合类",
        "730天",
        "3.50%-6.00%",
        "5万元",
        "2025年3月3日至3月9日",
    ],
]
FEE_HEADER = [
    "产品代码",
    "销售服务费（年化）",
    "固定管理费（年化）",
    "托管费（年化）",
    "认购费",
    "赎回费",
    "超额业绩报酬",
]
FEES = [
    ["QH-LC-2025-001", "0.20%", "0.15%", "0.02%", "不收取", "不收取", "无"],
    ["QH-LC-2025-002", "0.30%", "0.30%", None, None, None, "无"],
    ["QH-LC-2025-003", "0.30%", "0.40%", None, None, None, "无"],
    ["QH-LC-2025-004", "0.35%", "0.50%", None, None, None, "无"],
    [
        "QH-LC-2025-005",
        "0.40%",
        "0.80%",
        None,
        None,
        "持有不满1年赎回的，收取0.50%",
        "年化收益超过业绩比较基准上限部分的20%",
    ],
]
RISK_LEVELS = [
    ["R1", "谨慎型", "C1及以上", "本金损失可能性极低，收益波动极小"],
    ["R2", "稳健型", "C2及以上", "本金损失可能性较低，收益波动较小"],
    ["R3", "平衡型", "C3及以上", "存在一定本金损失可能，收益存在一定波动"],
    ["R4", "进取型", "C4及以上", "本金损失可能性较高，收益波动较大"],
    ["R5", "激进型", "C5", "本金损失可能性高，收益波动大"],
]


def products_xlsx(path: Path) -> None:
    """Write the wealth-product manual: product list, fee table and risk levels, with merged cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    bold = Font(bold=True)
    wb = Workbook()
    wb.properties.creator = BANK
    wb.properties.title = f"{BANK}理财产品说明书"

    ws = wb.active
    ws.title = "产品列表"
    ws.append([f"{BANK}理财产品一览（2025年第一季度）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(PRODUCT_HEADER))
    ws["A1"].font, ws["A1"].alignment = Font(bold=True, size=14), center
    ws.append(PRODUCT_HEADER)
    for row in PRODUCTS:
        ws.append(row)
    ws.merge_cells("D4:D6")  # 固定收益类 for 002-004
    ws.merge_cells("H4:H5")  # same 募集期 for 002 and 003
    note_row = ws.max_row + 2
    ws.cell(
        note_row,
        1,
        "注：业绩比较基准不代表产品的未来表现和实际收益，不构成本行对产品收益的承诺。理财非存款，产品有风险，投资须谨慎。",
    )
    ws.merge_cells(start_row=note_row, start_column=1, end_row=note_row, end_column=len(PRODUCT_HEADER))
    for cell in ws[2]:
        cell.font, cell.alignment = bold, center
    for col, width in zip("ABCDEFGH", (18, 24, 10, 14, 22, 22, 12, 26), strict=True):
        ws.column_dimensions[col].width = width

    fees = wb.create_sheet("费率表")
    fees.append(["理财产品费率表"])
    fees.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(FEE_HEADER))
    fees["A1"].font, fees["A1"].alignment = Font(bold=True, size=14), center
    fees.append(FEE_HEADER)
    for row in FEES:
        fees.append(row)
    fees.merge_cells("D3:D7")  # 托管费 0.02% for all products
    fees.merge_cells("E3:E7")  # 认购费 不收取 for all products
    fees.merge_cells("F3:F6")  # 赎回费 不收取 for 001-004
    fees.merge_cells("G3:G6")  # 超额业绩报酬 无 for 001-004
    for ref in ("D3", "E3", "F3", "G3"):
        fees[ref].alignment = center
    for cell in fees[2]:
        cell.font, cell.alignment = bold, center
    for col, width in zip("ABCDEFG", (18, 18, 18, 16, 10, 28, 36), strict=True):
        fees.column_dimensions[col].width = width

    risk = wb.create_sheet("风险等级说明")
    risk.append(["风险等级", "风险类型", "适合客户风险承受能力", "风险说明"])
    for row in RISK_LEVELS:
        risk.append(row)
    for cell in risk[1]:
        cell.font = bold
    wb.save(path)
    _normalize_ooxml(path)


# --------------------------------------------------------------------------------------------
# 6. HTML and GBK text
# --------------------------------------------------------------------------------------------

BRANCHES = [
    (
        "总行营业部",
        "禾川市青禾大道88号",
        "周一至周五 8:30-17:00；周六、周日 9:00-16:00",
        "个人及对公业务、外币兑换、保管箱",
    ),
    ("城东支行", "禾川市东湖路16号", "周一至周五 8:30-17:00；周六 9:00-12:00", "个人及对公业务"),
    ("城西支行", "禾川市西山路203号", "周一至周五 8:30-17:00；周末休息", "个人及对公业务"),
    ("禾丰镇支行", "禾川市禾丰镇兴农街5号", "周一至周六 8:00-16:30", "个人业务、惠农服务"),
]


def branch_html() -> str:
    """The branch service guide as a small HTML page (table + lists)."""
    rows = "\n".join(
        f"      <tr><td>{n}</td><td>{a}</td><td>{t}</td><td>{s}</td></tr>" for n, a, t, s in BRANCHES
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <title>{BANK}网点服务指南</title>
  <style>table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #999; padding: 4px 8px; }}</style>
</head>
<body>
  <nav><a href="#">首页</a> | <a href="#">网点查询</a> | <a href="#">联系我们</a></nav>
  <h1>{BANK}网点服务指南</h1>
  <h2>一、营业网点与营业时间</h2>
  <table>
    <thead><tr><th>网点名称</th><th>地址</th><th>营业时间</th><th>主要业务</th></tr></thead>
    <tbody>
{rows}
    </tbody>
  </table>
  <p>法定节假日营业安排以网点公告为准。外币兑换业务仅在总行营业部办理。</p>
  <h2>二、大额现金预约</h2>
  <p>个人客户单笔提取现金5万元（含）以上的，请至少提前1个工作日通过客服热线或网点预约；
  提取现金20万元（含）以上的，请至少提前2个工作日预约。</p>
  <h2>三、特色服务</h2>
  <ul>
    <li>爱心窗口：为老年人、残障人士、孕妇提供优先办理服务，各网点均配备轮椅、老花镜和助听设备。</li>
    <li>上门服务：行动不便的客户可预约上门办理身份核实、社保卡激活等业务。</li>
    <li>自助服务区：24小时开放，提供存取款、转账、账户查询和回单打印服务。</li>
  </ul>
  <h2>四、服务监督</h2>
  <p>如对网点服务有意见或建议，请拨打客服热线400-826-9588，本行将在5个工作日内答复。</p>
  <footer>© 2025 {BANK} · 本页面内容仅供演示</footer>
</body>
</html>
"""


FAQ = [
    (
        "手机银行转账限额是多少？",
        "手机银行默认单笔转账限额为5万元，单日累计限额为20万元。使用“禾盾”数字证书并经柜面申请后，单日累计限额最高可调整为100万元。",
    ),
    (
        "忘记手机银行登录密码怎么办？",
        "可在手机银行登录页点击“忘记密码”，通过身份证件、银行卡和短信验证码验证后自行重置；也可携带本人身份证件到任一网点办理。",
    ),
    (
        "借记卡丢失了怎么挂失？",
        "请立即拨打客服热线400-826-9588或通过手机银行办理临时挂失。临时挂失有效期为5天，请在有效期内携带本人身份证件到网点办理正式挂失及补卡。",
    ),
    ("借记卡补卡收费吗？", "借记卡补卡工本费为每张5元，卡片损坏换卡免收工本费。"),
    ("账户变动短信通知怎么收费？", "短信通知服务费为每月2元；月均余额达到5万元的客户免收当月短信服务费。"),
    (
        "跨行转账收手续费吗？",
        "通过手机银行、网上银行办理境内人民币跨行转账免收手续费；柜面办理的按每笔2元至15元分档收取。",
    ),
    ("本行借记卡收年费和小额账户管理费吗？", "本行借记卡不收取年费，也不收取小额账户管理费。"),
    (
        "客服热线的服务时间是什么？",
        "客服热线400-826-9588提供7×24小时自助语音服务，人工服务时间为每日8:00至20:00，挂失业务人工服务全天24小时受理。",
    ),
]


def faq_text() -> str:
    """The customer-service FAQ as plain text (written to disk in GBK)."""
    out = [f"{BANK}客服常见问题解答", "（更新日期：2025年1月）", ""]
    for i, (q, a) in enumerate(FAQ, 1):
        out += [f"问{i}：{q}", f"答：{a}", ""]
    return "\r\n".join(out)


# --------------------------------------------------------------------------------------------
# Questions, README, helpers
# --------------------------------------------------------------------------------------------

# (question, answers, gold doc or None when unanswerable, phrase that locates the page in a PDF)
# ``answers``: any one element must be matched; an element that is a list needs all its phrases.
QUESTIONS: list[tuple[str, list, str | None, str | None]] = [
    ("个人贷款对借款人的债务收入比（DTI）有什么上限要求？", ["50%"], MD_NAME, "不得超过50%"),
    (
        "一笔授信总额400万元的个人贷款应当由谁审议审批？",
        [["贷款审查委员会", "行长"]],
        MD_NAME,
        "贷款审查委员会",
    ),
    ("信用卡在境内取现的手续费怎么收？", [["1%", "10元"]], DOCX_NAME, None),
    ("信用卡没还最低还款额会收滞纳金吗？", [["违约金", "5%"]], DOCX_NAME, None),
    ("现金交易达到多少金额需要提交大额交易报告？", ["5万元"], PDF_NAME, "人民币5万元以上（含5万元）"),
    ("确认为可疑交易后，应当在多长时间内报送可疑交易报告？", ["3个工作日"], PDF_NAME, "应当在3个工作日内"),
    ("开立对公账户需要准备哪些材料？", [["营业执照", "法定代表人", "公章"]], SCAN_NAME, "营业执照正本原件"),
    ("理财产品QH-LC-2025-003的风险等级和业绩比较基准是多少？", [["R2", "2.60%", "3.20%"]], XLSX_NAME, None),
    ("总行营业部周末几点营业？", [["9:00", "16:00"]], HTML_NAME, None),
    ("手机银行默认的单日转账限额是多少？", ["20万元"], TXT_NAME, None),
    ("青禾农商银行2024年度的净利润是多少？", [], None, None),
    ("青禾农商银行的黄金积存业务最低购买多少克？", [], None, None),
]


def _normalize_ooxml(path: Path) -> None:
    """Rewrite an OOXML zip with fixed timestamps so repeated runs give identical bytes."""
    stamp = FIXED_DT.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(path) as zin:
        items = [(info.filename, zin.read(info)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in items:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data)
            zout.writestr(zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME), data, zipfile.ZIP_DEFLATED)


def _pdf_page_of(path: Path, phrase: str) -> int:
    """1-based page of a text PDF whose extracted text contains ``phrase`` (whitespace ignored)."""
    import pypdfium2 as pdfium

    target = re.sub(r"\s+", "", phrase)
    pdf = pdfium.PdfDocument(str(path))
    try:
        for i in range(len(pdf)):
            if target in re.sub(r"\s+", "", pdf[i].get_textpage().get_text_range()):
                return i + 1
    finally:
        pdf.close()
    raise ValueError(f"{phrase!r} not found in {path.name}")


def _scan_page_of(phrase: str) -> int:
    return next(i + 1 for i, t in enumerate(SCAN_PAGES) if phrase in t)


def _article_of(chapters: list[tuple[str, list[str]]], phrase: str) -> str:
    """``第N条`` of the (only) article whose text contains ``phrase``."""
    texts = [t for _, articles in chapters for t in articles]
    hits = [i for i, t in enumerate(texts, 1) if phrase in t]
    if len(hits) != 1:
        raise ValueError(f"{phrase!r} is in {len(hits)} articles")
    return f"第{cn_num(hits[0])}条"


def question_records(out: Path) -> list[dict]:
    """The demo questions in the evaluation format (pages resolved against the generated PDFs).

    Evidence carries ``page`` for PDFs and ``article`` for the two regulations (Markdown and text PDF).
    """
    records = []
    for i, (q, answers, doc, locator) in enumerate(QUESTIONS, 1):
        evidence = []
        if doc:
            ev: dict = {"doc": doc}
            if doc == PDF_NAME:
                ev["page"] = _pdf_page_of(out / doc, locator)
                ev["article"] = _article_of(AML_CHAPTERS, locator)
            elif doc == MD_NAME:
                ev["article"] = _article_of(LOAN_CHAPTERS, locator)
            elif doc == SCAN_NAME:
                ev["page"] = _scan_page_of(locator)
            evidence.append(ev)
        records.append(
            {
                "id": f"demo-{i:02d}",
                "question": q,
                "answers": answers,
                "evidence": evidence,
                "answerable": doc is not None,
            }
        )
    return records


README_HEAD = f"""# 演示知识库（demo KB）

本目录是 `make demo` 使用的演示知识库：一家**虚构**银行“{BANK}”的 7 份制度与服务文档，
内容全部为编造，仅用于演示和测试，与任何真实银行无关。

> 本目录（含本文件与 `questions.jsonl`）由 `scripts/make_demo_docs.py` 生成，请勿手工修改；
> 修改内容后执行 `.venv/bin/python scripts/make_demo_docs.py` 重新生成（输出是确定性的）。

## 文件说明

| 文件 | 格式 | 内容 | 用来检验 |
|---|---|---|---|
| `{MD_NAME}` | Markdown | 个人贷款管理办法（制度编号 QH-DK-2024-017），八章二十五条：贷款条件、DTI、期限、LPR 加点、审批权限、受托支付、贷后检查 | 章/条结构切分 |
| `{DOCX_NAME}` | Word (python-docx) | 信用卡领用合约（2025年版），标题层级 + 收费表（“分期手续费率”一列为纵向合并单元格） | DOCX 标题与表格 |
| `{PDF_NAME}` | PDF（文本层） | 反洗钱操作规程（QH-FXQ-2023-005），3 页：客户尽职调查、大额/可疑交易报告、资料保存 | PDF 文本抽取、页码引用 |
| `{SCAN_NAME}` | PDF（纯图像，200 dpi） | 对公账户开户须知，2 页扫描件（轻微倾斜与噪点），**无文本层** | OCR 流程 |
| `{XLSX_NAME}` | Excel (openpyxl) | 理财产品一览（QH-LC-2025-001…005）、费率表、风险等级说明；标题与数据中均有合并单元格 | 表格解析、合并单元格 |
| `{HTML_NAME}` | HTML (UTF-8) | 网点地址与营业时间、大额现金预约、特色服务；含导航栏和页脚噪声 | HTML 正文抽取 |
| `{TXT_NAME}` | 纯文本（**GBK 编码**，CRLF） | 客服常见问题 8 问 | 编码探测 |

## 演示问题

`questions.jsonl` 每行一个问题：`id`、`question`、`answers`、`evidence`、`answerable`。
`answers` 中任一元素命中即算答对；元素本身是列表时，需同时包含其中全部短语。
`evidence` 给出唯一的出处文件，PDF 另给 1 起始的页码，两份制度文件另给条款号（`article`）。最后两个问题知识库无法回答，系统应当拒答。

| # | 问题 | 期望答案 | 出处 |
|---|---|---|---|
"""


def readme(records: list[dict]) -> str:
    rows = []
    for r in records:
        parts = [" + ".join(a) if isinstance(a, list) else a for a in r["answers"]]
        answer = " 或 ".join(parts) if parts else "（应拒答：知识库中没有相关信息）"
        src = "—"
        if r["evidence"]:
            ev = r["evidence"][0]
            src = (
                ev["doc"]
                + (f" 第{ev['page']}页" if "page" in ev else "")
                + (f" {ev['article']}" if "article" in ev else "")
            )
        rows.append(f"| {r['id'][-2:]} | {r['question']} | {answer} | {src} |")
    return README_HEAD + "\n".join(rows) + "\n"


def build(out: Path) -> list[Path]:
    """Write all demo documents, ``questions.jsonl`` and ``README.md`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / MD_NAME).write_text(loan_markdown(), encoding="utf-8")
    card_docx(out / DOCX_NAME)
    aml_pdf(out / PDF_NAME)
    scan_pdf(out / SCAN_NAME)
    products_xlsx(out / XLSX_NAME)
    (out / HTML_NAME).write_text(branch_html(), encoding="utf-8")
    (out / TXT_NAME).write_bytes(faq_text().encode("gbk"))
    records = question_records(out)
    with (out / "questions.jsonl").open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    (out / "README.md").write_text(readme(records), encoding="utf-8")
    return sorted(out.iterdir())


def check_ocr(out: Path) -> float:
    """OCR the scanned PDF with rapidocr and return character accuracy (1 - CER) vs the source."""
    import difflib

    import numpy as np
    import pypdfium2 as pdfium
    from rapidocr import RapidOCR

    engine = RapidOCR()
    pdf = pdfium.PdfDocument(str(out / SCAN_NAME))
    ok = total = 0
    for i, src in enumerate(SCAN_PAGES):
        img = pdf[i].render(scale=200 / 72).to_pil().convert("RGB")
        res = engine(np.asarray(img))
        got = re.sub(r"\s+", "", "".join(res.txts or ()))
        ref = re.sub(r"\s+", "", src.replace("# ", ""))
        sm = difflib.SequenceMatcher(None, ref, got, autojunk=False)
        match = sum(b.size for b in sm.get_matching_blocks())
        print(f"page {i + 1}: {len(ref)} chars, matched {match}, OCR length {len(got)}")
        ok, total = ok + match, total + len(ref)
    pdf.close()
    return ok / total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--check-ocr", action="store_true", help="OCR the scanned PDF and print accuracy")
    args = ap.parse_args()
    for p in build(args.out):
        print(f"{p.stat().st_size:>9,d}  {p.name}")
    if args.check_ocr:
        print(f"OCR character accuracy: {check_ocr(args.out):.1%}")


if __name__ == "__main__":
    main()
