"""Extra paragraphs that bring short pages up to a realistic length (at least ~330 characters of text)."""
from __future__ import annotations

from common import BANK_SHORT, Doc, person, pick, plain_text, rng_for

NEWS = [
    lambda r, d: f"{d.dept}现有员工{18 + r.randrange(40)}人，下辖惠农金融服务站{3 + r.randrange(30)}个，是当地服务“三农”和小微企业的主力银行网点。",
    lambda r, d: f"近年来，{d.dept}坚持“走千访万”，推行客户经理包村联户制度，把金融服务延伸到田间地头和千家万户，群众满意度持续提升。",
    lambda r, d: f"据了解，这是{d.dept}今年开展的第{2 + r.randrange(9)}场同类活动。支行将在总结经验的基础上，形成常态化工作机制。",
    lambda r, d: "活动得到了当地政府和村两委的大力支持，村民们对青禾农商银行扎根乡土、贴心服务的做法给予了高度评价。",
    lambda r, d: f"{d.dept}负责人表示，服务乡村振兴是农商银行的初心和使命，支行将进一步下沉服务重心，让金融服务更有温度。",
]
SYS = [
    lambda r, d: "维护期间，自助设备存取款、柜面业务及电子银行渠道可能受到影响，请各网点在营业厅、自助银行区显著位置张贴告示，并通过微信群告知重点客户。",
    lambda r, d: f"维护工作由信息科技部{person(r)}负责总协调，运维值班人员全程在岗。维护结束后，信息科技部将在OA发布恢复服务的通知。",
    lambda r, d: "请各单位科技联络员在维护开始前完成终端的数据保存和业务轧账，避免因系统中断造成交易差错。",
]
MISC = [
    lambda r, d: f"联系人：{d.dept}{person(r)}，内线{8100 + r.randrange(800)}。",
    lambda r, d: "请各单位认真组织，及时将本通知传达到每一位员工，确保相关工作按时保质完成。",
    lambda r, d: "本次活动（工作）坚持公开、公平、公正原则，全过程接受全行员工和纪检部门监督。",
    lambda r, d: "有关表格可在内网门户“下载中心”下载，填写完整后按要求报送，逾期视为放弃。",
    lambda r, d: "各单位负责人要高度重视，做好工作安排，妥善处理好本项工作与日常经营的关系，确保两不误、两促进。",
    lambda r, d: "相关安排如有变动，将另行通知。请关注内网门户“通知公告”栏目。",
]
BRANCH = [
    lambda r, d: f"交通指引：乘坐{1 + r.randrange(30)}路、{31 + r.randrange(40)}路公交车在{pick(r, ['镇政府站', '客运中心站', '人民医院站', '农贸市场站', '中心街站'])}下车，步行约{2 + r.randrange(8)}分钟即到。网点门前设有客户临时停车位。",
    lambda r, d: "主要业务：个人存取款、对公结算、禾农贷及丰收贷等各类贷款、理财及代理业务、社保卡业务、代收代付等。网点配备自助存取款机和智能柜台，24小时自助银行可办理存取款、转账、查询等业务。",
]
GENERIC = [
    lambda r, d: f"本文件由{BANK_SHORT}{d.dept}负责解释。执行过程中如遇政策调整，以最新规定为准。",
    lambda r, d: f"业务咨询：{d.dept}{person(r)}，内线{8100 + r.randrange(800)}。",
    lambda r, d: "各单位要加强组织领导，明确责任人，认真抓好贯彻落实，并将执行中发现的问题及时反馈总行相关部门。",
    lambda r, d: "请各单位组织员工认真学习，确保相关岗位人员知晓并严格执行，执行情况将纳入年度内控检查。",
]
POOLS = {"news": NEWS, "sys": SYS, "misc": MISC, "branch": BRANCH}


def pad(doc: Doc, target: int = 340) -> Doc:
    r = rng_for("pad", doc.path)
    pool = list(POOLS.get(doc.kind, GENERIC))
    r.shuffle(pool)
    insert_at = len(doc.blocks)
    while doc.blocks and doc.blocks[insert_at - 1][0] == "right":
        insert_at -= 1
    for fn in pool:
        if len(plain_text(doc)) >= target:
            break
        doc.blocks.insert(insert_at, ("p", fn(r, doc)))
        insert_at += 1
    return doc
