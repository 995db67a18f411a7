"""Templated pages with many alternative phrasings: branch news, meeting minutes, monthly compliance tips,
system maintenance notices, branch information pages and miscellaneous internal notices."""
from __future__ import annotations

import datetime as _dt

from common import (
    BRANCH_NAMES,
    BRANCHES,
    VILLAGES,
    Doc,
    cn_date,
    cn_md,
    md_table,
    person,
    pick,
    rng_for,
)

INDUSTRIES = [("茶叶", "茶农", "春茶采摘", "茶厂"), ("杨梅", "梅农", "杨梅上市", "杨梅合作社"),
              ("竹笋", "笋农", "春笋采挖", "笋干加工厂"), ("水产养殖", "养殖户", "鱼苗投放", "水产合作社"),
              ("食用菌", "菇农", "香菇出菇", "食用菌基地"), ("柑橘", "果农", "柑橘采收", "柑橘合作社"),
              ("生猪养殖", "养殖户", "补栏", "生态养殖场"), ("水稻种植", "种粮大户", "早稻育秧", "粮食合作社"),
              ("蔬菜大棚", "菜农", "大棚翻新", "蔬菜基地"), ("民宿", "民宿主", "旅游旺季", "民宿协会"),
              ("中药材", "药农", "浙贝母采收", "中药材合作社"), ("蜜蜂养殖", "蜂农", "春季分蜂", "养蜂合作社")]
TOPICS = ["防范电信网络诈骗", "反假人民币", "存款保险", "防范非法集资", "个人信息保护", "征信知识", "拒绝出租出借银行卡",
          "养老防骗", "人民币图样使用规范", "理财风险防范"]


def _date(r, y0=2019, y1=2025):
    start = _dt.date(y0, 1, 3).toordinal()
    end = _dt.date(y1, 12, 28).toordinal()
    return _dt.date.fromordinal(start + r.randrange(end - start)).isoformat()


# ------------------------------------------------------------------------------------------------- news
def _news_village(r, br, v, date):
    n_visit = 80 + r.randrange(400)
    n_credit = int(n_visit * (0.5 + r.random() * 0.4))
    amt = n_credit * (5 + r.randrange(12))
    lead = person(r)
    title = pick(r, [f"{br}走进{v}开展整村授信", f"整村授信进{v}：{br}把金融服务送到家门口", f"{br}在{v}召开整村授信推进会"])
    paras = [
        pick(r, [f"{cn_md(date)}，{br}行长{lead}带领客户经理团队走进{v}，开展整村授信集中走访活动。",
                 f"近日，{br}组织员工利用周末时间深入{v}，挨家挨户开展整村授信走访。",
                 f"为推进普惠金融向纵深发展，{br}联合{v}村两委，在村文化礼堂召开整村授信动员会。"]),
        pick(r, [f"活动中，工作人员逐户采集农户家庭成员、生产经营、资产负债等信息，现场讲解禾农贷的申请方式和用款流程。此次共走访农户{n_visit}户。",
                 f"客户经理分成四个小组，对照村民花名册逐户上门，共走访{n_visit}户，建立农户信用档案，并邀请村干部、老党员参与信用评议。"]),
        pick(r, [f"经评议，{n_credit}户农户获得预授信，授信金额合计{amt}万元，农户可通过手机银行随时用款。",
                 f"截至目前，已对该村{n_credit}户农户完成授信，合计授信{amt}万元，切实解决了农户“贷款难、贷款慢”的问题。"]),
        pick(r, ["村民们纷纷表示，“不用抵押、不用找担保，在家门口就能办贷款，真是方便。”",
                 "下一步，该支行将持续做好授信后的用信转化和贷后服务，让授信真正变成农户手中的发展资金。",
                 "支行表示，将把整村授信与信用村创建相结合，推动农村信用体系建设。"])]
    return title, paras, (n_credit, v)


def _news_topic(r, br, v, date):
    t = pick(r, TOPICS)
    place = pick(r, [v, f"{br[:-2]}镇集市", f"{br[:-2]}中心小学", "营业厅", f"{v}文化礼堂", "老年活动中心"])
    n = 30 + r.randrange(300)
    title = pick(r, [f"{br}开展“{t}”主题宣传活动", f"{t}宣传走进{place}", f"{br}：{t}知识送到群众身边"])
    paras = [
        pick(r, [f"为提高群众金融风险防范意识，{cn_md(date)}，{br}组织青年员工来到{place}，开展“{t}”主题宣传活动。",
                 f"近日，{br}在{place}设置宣传咨询台，面向过往群众开展{t}知识宣传。"]),
        pick(r, [f"活动现场，工作人员通过发放宣传折页、讲解典型案例、现场答疑等方式，向群众普及{t}相关知识，提醒大家守护好自己的“钱袋子”。",
                 f"员工们结合身边真实案例，用通俗易懂的方言向老年人讲解{t}的要点，并现场演示如何识别可疑电话和短信。"]),
        pick(r, [f"本次活动共发放宣传资料{n}余份，接受群众咨询{n // 3}人次。", f"活动吸引了{n}余名群众驻足参与，现场气氛热烈。"]),
        pick(r, ["该支行负责人表示，将常态化开展金融知识宣传，持续提升辖内群众的金融素养。",
                 "下一步，支行将结合网点厅堂宣传和进村入户走访，把金融知识宣传做深做细。"])]
    return title, paras, None


def _news_industry(r, br, v, date):
    ind, who, season, org = pick(r, INDUSTRIES)
    n = 10 + r.randrange(120)
    amt = n * (8 + r.randrange(25))
    title = pick(r, [f"{br}精准支持{ind}产业发展", f"金融活水润{ind}：{br}助力{who}增收", f"{season}时节，{br}送贷上门"])
    paras = [
        pick(r, [f"正值{season}关键期，{v}的{who}资金需求旺盛。{br}主动对接当地{org}，摸排{who}的资金需求。",
                 f"{ind}是{v}的主导产业。为帮助{who}抢抓{season}时机，{br}组建党员服务队，开展“送贷上门”活动。"]),
        pick(r, [f"截至{cn_md(date)}，该支行已为{n}户{who}发放贷款{amt}万元，贷款平均利率较上年有所下降。",
                 f"活动开展以来，支行累计向{ind}经营主体发放贷款{n}笔、金额{amt}万元，有效满足了{season}期间的资金需求。"]),
        pick(r, [f"{org}负责人{person(r)}说：“青禾农商银行的贷款手续简单、放款快，解了我们的燃眉之急。”",
                 f"针对{who}收入季节性强的特点，支行灵活设置还款计划，允许按销售回款周期还本。"]),
        pick(r, ["下一步，支行将继续围绕地方特色产业，创新金融产品和服务，助力乡村振兴。",
                 "支行还将联合农业技术部门开展技术培训，实现“融资+融智”双轮驱动。"])]
    return title, paras, None


def _news_service(r, br, v, date):
    who = person(r)
    age = 80 + r.randrange(15)
    title = pick(r, [f"{br}为{age}岁老人提供上门服务", f"暖心服务！{br}员工上门为行动不便老人办理业务", f"{br}开通老年客户绿色通道"])
    paras = [
        pick(r, [f"{cn_md(date)}上午，一位老人的家属来到{br}，称家中{age}岁的老人卧病在床，急需办理社保卡激活业务。",
                 f"近日，{br}接到{v}村民{who}的求助，其母亲年事已高、行动不便，需要办理存款到期转存。"]),
        pick(r, ["了解情况后，网点负责人立即按照特殊群体上门服务流程进行审批，安排两名员工携带移动设备上门。",
                 "支行按规定履行审批手续后，由大堂经理和综合柜员组成服务小组，带上移动展业设备前往老人家中。"]),
        pick(r, ["在老人家中，员工耐心核实身份和意愿，全程录音录像，顺利帮老人办结业务。",
                 "员工们核实老人身份后，一边办理业务，一边拉家常，老人和家属连连道谢。"]),
        pick(r, ["近年来，该支行持续推进适老化服务改造，设置爱心座椅、老花镜、助听设备，让老年客户感受到金融温度。",
                 "支行表示，将继续践行“做百姓身边的银行”的理念，为老年人、残障人士等特殊群体提供有温度的服务。"])]
    return title, paras, None


def _news_event(r, br, v, date):
    kind = r.randrange(4)
    n = 10 + r.randrange(40)
    if kind == 0:
        title = pick(r, [f"{br}开展消防安全应急演练", f"筑牢安全防线：{br}组织消防演练"])
        paras = [f"{cn_md(date)}，{br}联合{br[:-2]}消防救援站开展消防安全应急演练，全体员工{n}人参加。",
                 pick(r, ["演练模拟营业厅突发火情，员工们迅速按预案分工，组织客户疏散、使用灭火器扑救初期火灾。", "消防员现场讲解了灭火器和消防栓的使用方法，员工们分组进行了实操训练。"]),
                 pick(r, ["演练结束后，支行对演练过程进行了点评，对发现的问题逐项整改。", "通过演练，员工们的安全意识和应急处置能力得到进一步提升。"]),
                 "安全是网点经营的底线。支行要求员工牢记“一懂三会”，做到警钟长鸣。"]
    elif kind == 1:
        title = pick(r, [f"{br}员工在柜面技能比赛中获佳绩", f"{br}组织开展岗位练兵"])
        paras = [pick(r, [f"在近期举行的全行柜面业务技能比赛中，{br}员工{person(r)}获得点钞单项第一名。", f"为提升一线员工业务技能，{br}在{cn_md(date)}组织开展岗位练兵活动。"]),
                 pick(r, ["比赛设置单指单张点钞、传票录入、反假币识别等项目，参赛选手沉着应战、发挥出色。", "练兵内容包括点钞、传票录入、业务知识问答等，每位柜员都参加了测试。"]),
                 f"近年来，该支行坚持“以练促学、以赛促训”，共有{n % 9 + 2}名员工在全行技能比赛中获奖。",
                 "支行将继续加强员工技能培训，为客户提供更加高效、准确的服务。"]
    elif kind == 2:
        title = pick(r, [f"{br}青年志愿者开展无偿献血活动", f"{br}组织志愿者走进{v}开展爱心活动"])
        paras = [pick(r, [f"{cn_md(date)}，{br}团支部组织青年志愿者参加无偿献血活动，共有{n % 15 + 5}名员工献血。", f"{cn_md(date)}，{br}青年志愿者来到{v}，为留守老人和儿童送去慰问品。"]),
                 pick(r, ["志愿者们还为村民讲解了防诈骗知识，帮助老人学习使用智能手机。", "大家撸起袖子献爱心，用实际行动诠释了青禾人的社会责任。"]),
                 "多年来，该支行坚持开展志愿服务活动，累计志愿服务时长超过千小时。",
                 "支行表示，将继续把志愿服务与金融服务相结合，当好乡村振兴的“金融服务员”。"]
    else:
        title = pick(r, [f"{br}召开小微企业客户座谈会", f"{br}举办银企对接会"])
        paras = [f"{cn_md(date)}，{br}邀请辖内{n}家小微企业、个体工商户代表召开座谈会，面对面听取融资需求和意见建议。",
                 pick(r, ["会上，客户经理介绍了禾商贷、禾商快贷等产品，并现场解答了企业关心的利率、期限和担保问题。", "企业代表纷纷发言，反映了原材料涨价、回款周期长等经营困难和资金需求。"]),
                 pick(r, ["会后，支行对企业需求逐户建立台账，明确专人跟进，力争一个月内完成对接。", "支行当场与三家企业达成合作意向。"]),
                 "该支行负责人表示，将坚持支农支小定位，持续加大对小微企业的信贷支持力度。"]
    return title, paras, None


NEWS_KINDS = [_news_village, _news_village, _news_topic, _news_industry, _news_service, _news_event, _news_topic,
              _news_event]


def news_docs(n=200):
    docs = []
    vill = list(VILLAGES)
    rng_for("newsv").shuffle(vill)
    counter = 0
    for i in range(n):
        r = rng_for("news", i)
        br = pick(r, BRANCH_NAMES)
        v = vill[i % len(vill)]
        date = _date(r)
        fn = NEWS_KINDS[i % len(NEWS_KINDS)]
        if fn is _news_village and i >= len(vill) * 2:
            fn = _news_topic
        title, paras, fact = fn(r, br, v, date)
        author = person(r)
        blocks = [("p", p) for p in paras] + [("p", pick(r, [f"（{br} {author} 供稿）", f"通讯员：{author}", f"供稿：{br}　摄影：{person(r)}"]))]
        short = [b[1] for b in BRANCHES if b[0] == br][0]
        counter += 1
        fmt = "html" if i % 3 else "md"
        path = pick(r, [f"news/{short}/{date.replace('-', '')}_{i:03d}.{fmt}", f"news/newsid_{4000 + i * 7}.{fmt}",
                        f"news/支行动态_{short}_{date[5:].replace('-', '')}_{i}.{fmt}"])
        style = pick(r, ["top", "iso", "meta", "top", "end"]) if fmt == "html" else pick(r, ["top", "iso", "meta"])
        docs.append(Doc(path=path, title=title, date=date, blocks=blocks, dept=br, date_style=style, kind="news",
                        meta_date=(i % 4 == 0)))
    return docs


# ------------------------------------------------------------------------------------------------- minutes
AGENDA = [
    ("关于采购自助设备的议题", lambda r: f"会议同意采购存取款一体机{4 + r.randrange(12)}台、智能柜台{2 + r.randrange(6)}台，采购预算控制在{100 + r.randrange(300)}万元以内，由运营管理部会同办公室按集中采购程序实施。"),
    ("关于网点装修改造的议题", lambda r: f"会议同意对{pick(r, BRANCH_NAMES)}营业用房进行装修改造，预算{40 + r.randrange(80)}万元，改造期间设临时营业点，确保对客服务不中断。"),
    ("关于不良贷款清收工作的汇报", lambda r: f"风险管理部汇报了不良贷款清收进展，截至上月末不良贷款率{1 + r.randrange(80) / 100:.2f}%。会议要求对{10 + r.randrange(30)}户重点不良客户落实“一户一策”，清收成果纳入支行考核。"),
    ("关于存款营销工作的部署", lambda r: f"会议要求各支行抓住{pick(r, ['开门红', '年中', '四季度'])}关键时期，合理把握付息成本，严禁高息揽储和违规返利。"),
    ("关于员工培训经费使用的议题", lambda r: f"会议同意人力资源部提交的专项培训经费{20 + r.randrange(60)}万元使用方案，重点用于客户经理和柜面条线。"),
    ("关于信息系统建设项目的议题", lambda r: f"会议听取了信息科技部关于{pick(r, ['新一代信贷管理系统', '数据仓库', '移动展业平台', '智能风控平台', '柜面无纸化'])}项目的汇报，同意项目立项，预算{80 + r.randrange(400)}万元，要求年内上线。"),
    ("关于捐赠事项的议题", lambda r: f"会议同意向{pick(r, ['青禾市慈善总会', '禾丰县教育基金会', '云溪县红十字会'])}捐赠{5 + r.randrange(30)}万元，用于{pick(r, ['助学', '防汛救灾', '乡村振兴', '困难群众帮扶'])}，按规定履行报批程序。"),
    ("关于案件防控工作的汇报", lambda r: "合规与法律部汇报了员工异常行为排查情况，未发现重大风险隐患。会议要求各单位持续开展员工行为排查，重点关注员工参与民间借贷、赌博等行为。"),
    ("关于安全生产工作的部署", lambda r: f"会议要求各单位在{pick(r, ['汛期', '节假日', '高温季节', '冬季'])}前完成安全隐患排查，安全保卫部牵头开展专项检查，发现问题限期整改。"),
    ("关于资产处置的议题", lambda r: f"会议同意对{10 + r.randrange(50)}台报废办公设备进行处置，残值收入上缴财务。"),
    ("关于普惠金融工作推进的汇报", lambda r: f"普惠金融部汇报，整村授信已覆盖{100 + r.randrange(250)}个行政村。会议要求提高授信转化率，对用信率低的支行进行约谈。"),
    ("关于消费者权益保护工作的汇报", lambda r: f"消费者权益保护部汇报了上季度投诉情况，共受理投诉{3 + r.randrange(20)}件，均已办结。会议要求对有责投诉进行问责。"),
    ("关于党建和企业文化建设的议题", lambda r: "会议同意开展“青禾服务之星”评选，每季度评选一次，并在内网公示。"),
    ("关于营业网点布局调整的议题", lambda r: f"会议原则同意将{pick(r, BRANCH_NAMES[5:])}下辖的一个分理处撤并，撤并前须做好客户告知和业务迁移工作。"),
]


def minutes_docs(n=80):
    docs = []
    for i in range(n):
        r = rng_for("min", i)
        date = _date(r)
        y = int(date[:4])
        kind = r.randrange(4)
        if kind <= 1:
            name, host = "行长办公会", pick(r, ["郑国华", "邵立民"]) if y < 2022 else "邵立民"
            title = f"行长办公会会议纪要（{y}年第{1 + r.randrange(24)}期）"
            n_items = 4
        elif kind == 2:
            name, host = "风险管理委员会", pick(r, ["陶志远", "沈晓光"])
            title = f"风险管理委员会{y}年第{1 + r.randrange(6)}次会议纪要"
            n_items = 3
        else:
            br = pick(r, BRANCH_NAMES)
            name, host = f"{br}周例会", [b[4] for b in BRANCHES if b[0] == br][0]
            title = pick(r, [f"{br}周例会纪要", f"{br}第{1 + r.randrange(50)}周工作例会纪要"])
            n_items = 3
        items = r.sample(AGENDA, n_items)
        attend = "、".join(person(r) for _ in range(4 + r.randrange(4)))
        blocks = [("p", f"时间：{cn_date(date)} {pick(r, ['上午9:00', '下午2:30', '上午8:30', '下午3:00'])}"),
                  ("p", f"地点：{pick(r, ['总部大楼6楼会议室', '总部大楼4楼第一会议室', '支行会议室', '视频会议'])}"),
                  ("p", f"主持：{host}"), ("p", f"出席：{attend}"), ("p", f"记录：{person(r)}"),
                  ("p", pick(r, [f"{cn_md(date)}，{host}主持召开{name}，研究了以下事项。现纪要如下：",
                                 "会议听取了有关部门的工作汇报，研究讨论了相关议题。现将会议议定事项纪要如下："]))]
        for k, (topic, fn) in enumerate(items):
            blocks.append(("h", f"{'一二三四'[k]}、{topic}"))
            blocks.append(("p", fn(r)))
        blocks.append(("p", pick(r, ["会议要求，各相关部门按照会议议定事项抓好落实，办公室负责督办。", "以上事项由相关部门牵头落实，落实情况在下次会议上汇报。"])))
        fmt = pick(r, ["docx", "docx", "md", "pdf", "html"])
        path = pick(r, [f"minutes/{y}/纪要_{date.replace('-', '')}_{i}.{fmt}", f"minutes/meeting_{y}_{i:03d}.{fmt}",
                        f"minutes/{name}纪要{y}-{i}.{fmt}"])
        docs.append(Doc(path=path, title=title, date=date, blocks=blocks, dept="办公室" if kind < 3 else name[:-3],
                        date_style="none", kind="minutes"))
    return docs


# ------------------------------------------------------------------------------------------------- compliance tips
TIPS = [
    ("警惕“飞单”风险", "近期，外地某金融机构发生员工私自向客户销售非本机构产品的案件，造成客户资金损失。员工应严格按规定销售本行自有及代销产品，代销产品须在本行代销产品清单内，并在客户面前明确告知产品发行机构和风险。"),
    ("规范贷款调查，防范冒名贷款", "冒名贷款、借名贷款是农村金融机构多发的违规行为。客户经理必须坚持见客户本人、见贷款用途、见经营场所，面签面核，不得由他人代签合同，不得为凑规模拆分贷款。"),
    ("加强员工异常行为排查", "各单位要关注员工是否存在大额消费与收入不符、频繁请假、与客户资金往来异常等情形，排查中发现的问题要逐一核实并报告，不得隐瞒。"),
    ("严禁违规返利揽储", "吸收存款应当遵守利率自律约定，严禁通过返现、赠送高价值礼品等方式变相提高存款利率，严禁借用他人名义揽储。"),
    ("账户管理要点", "开立个人账户要做好开户意愿核实，对无法合理说明开户理由、批量开户、代理开户的，应当拒绝或限制账户功能，防止账户被用于电信网络诈骗。"),
    ("印章和凭证管理", "近期检查发现个别网点存在印章离岗未入箱、空白凭证未按号使用等问题。请各网点严格执行印章、凭证“人离章收、专人保管”等规定。"),
    ("征信合规", "查询客户征信必须取得客户书面授权，查询用途须与授权一致。严禁以贷后管理名义查询无授权的个人信用报告，严禁将征信报告提供给第三方。"),
    ("关联交易管理", "与本行关联方开展授信业务，应当按规定进行关联交易审查和审批，关联方名单由合规与法律部每季度更新，客户经理办理业务前须查询名单。"),
    ("营销宣传合规", "在微信朋友圈、短视频平台发布产品宣传内容前，须经总行产品部门审核，不得使用“保本”“零风险”等字样，不得夸大收益。"),
    ("反洗钱名单监控", "对涉恐、制裁名单客户，系统将自动拦截。柜员收到拦截提示后不得绕过系统办理，应立即报告网点负责人和合规与法律部。"),
    ("员工兼职和经商", "员工不得在外从事有偿兼职，不得经营或参股与本行存在业务往来的企业。近期排查中发现个别员工家属经营企业未报告的情况，请相关员工尽快补报。"),
    ("合同管理", "对外签订合同须使用本行标准文本，非标准文本须经合规与法律部审查。合同签订后原件须按规定归档，不得由经办人个人保管。"),
    ("数据安全", "严禁将生产数据拷贝至个人电脑或互联网网盘。测试使用生产数据的，必须进行脱敏处理，并经信息科技部审批。"),
    ("代销保险业务", "代销保险产品不得强制捆绑贷款销售，不得在贷款审批前要求客户购买保险。对60周岁以上客户销售投资型保险，应当执行专门的风险提示。"),
    ("消费者适当性", "销售产品前应当评估客户的风险承受能力，向客户充分揭示风险，做到“把合适的产品卖给合适的客户”。"),
]


def tips_docs(n=54):
    docs = []
    for i in range(n):
        r = rng_for("tip", i)
        y = 2019 + i // 8
        m = 1 + (i % 8) + (i % 8 > 3)
        date = f"{min(y, 2025)}-{m:02d}-{10 + r.randrange(15):02d}"
        y = int(date[:4])
        no = i % 8 + 1
        items = r.sample(TIPS, 3)
        title = pick(r, [f"合规提示（{y}年第{no}期）", f"{y}年第{no}期合规风险提示", f"合规小贴士·{y}年第{no}期"])
        blocks = [("p", pick(r, ["为进一步增强全员合规意识，现将近期需要关注的合规风险提示如下，请各单位组织员工学习。",
                                 "本期合规提示聚焦以下几个方面，请各单位在晨会、周例会上传达学习，并结合实际开展自查。"]))]
        for k, (h, body) in enumerate(items):
            blocks.append(("h", f"{k + 1}. {h}"))
            blocks.append(("p", body))
        blocks.append(("p", pick(r, ["各单位学习情况纳入季度合规考核。", "如发现违规线索，请及时向合规与法律部报告。"])))
        fmt = pick(r, ["pdf", "md", "html", "pdf", "txt"])
        path = pick(r, [f"compliance/tips/合规提示{y}-{no:02d}.{fmt}", f"compliance/tips/tip_{y}{no:02d}_{i}.{fmt}"])
        docs.append(Doc(path=path, title=title, date=date, blocks=blocks, dept="合规与法律部",
                        date_style=pick(r, ["top", "end", "meta"]), kind="tip"))
    return docs


# ------------------------------------------------------------------------------------------------- system notices
SYSTEMS = [("核心业务系统", "全部柜面业务、ATM、手机银行、POS"), ("手机银行", "手机银行全部功能"), ("企业网上银行", "企业网银登录及转账"),
           ("信贷管理系统", "贷款申请录入、审批、放款"), ("禾办OA", "公文、审批、会议室预订"), ("反洗钱监测系统", "大额及可疑交易报送"),
           ("青禾费控系统", "费用报销、借款"), ("二代支付系统接口", "跨行汇款、跨行转账"), ("柜面系统", "柜面各项业务")]


def system_docs(n=44):
    docs = []
    for i in range(n):
        r = rng_for("sys", i)
        date = _date(r)
        sysname, scope = SYSTEMS[i % len(SYSTEMS)]
        d0 = _dt.date.fromisoformat(date) + _dt.timedelta(days=3 + r.randrange(6))
        start = pick(r, ["22:00", "23:00", "21:30", "0:00", "20:00"])
        end = pick(r, ["次日4:00", "次日6:00", "次日2:00", "次日5:30"])
        reason = pick(r, ["系统版本升级", "机房设备搬迁", "数据库扩容", "网络设备割接", "安全补丁更新", "灾备切换演练"])
        title = pick(r, [f"关于{sysname}{reason}暂停服务的通知", f"{sysname}停机维护公告", f"【系统公告】{sysname}{reason}"])
        blocks = [("p", pick(r, [f"因{reason}需要，信息科技部定于{cn_date(d0.isoformat())}{start}至{end}对{sysname}进行维护，届时{scope}将暂停服务。",
                                 f"各单位：为保障系统稳定运行，{sysname}将于{cn_date(d0.isoformat())}{start}至{end}进行{reason}，期间{scope}暂停使用。"])),
                  ("ul", ["请各网点提前做好客户告知，在营业厅张贴公告；",
                          pick(r, ["维护期间如遇紧急业务，请联系信息科技部值班人员；", "维护期间请勿进行系统操作，以免造成数据不一致；"]),
                          pick(r, ["维护结束后，各单位科技联络员应及时测试主要业务功能，发现异常立即报告。", "如维护提前结束，将另行通知恢复服务。"])]),
                  ("p", "由此带来的不便，敬请谅解。")]
        fmt = pick(r, ["html", "html", "txt", "md"])
        path = pick(r, [f"it/notices/sys_{date.replace('-', '')}_{i}.{fmt}", f"it/notices/系统公告{i + 101}.{fmt}"])
        docs.append(Doc(path=path, title=title, date=date, blocks=blocks, dept="信息科技部",
                        date_style=pick(r, ["top", "iso", "update", "end"]), kind="sys"))
    return docs


# ------------------------------------------------------------------------------------------------- branch pages
FEATURES = ["设有小微企业金融服务中心", "设有老年客户服务专区", "配备智能柜台和外币兑换机", "设有普惠金融服务站",
            "设有理财服务室", "是全行首批“星级网点”", "设有茶产业金融服务中心", "设有渔业金融服务点"]


def branch_docs():
    docs = []
    for i, (name, short, addr, phone, head) in enumerate(BRANCHES):
        r = rng_for("branch", name)
        feats = r.sample(FEATURES, 2)
        villages = r.sample(VILLAGES, 4)
        blocks = [("p", pick(r, [f"{name}位于{addr}，{pick(r, ['成立于', '开业于'])}{2000 + r.randrange(20)}年，是本行{pick(r, ['重点网点', '综合性支行', '县域中心网点'])}。",
                                 f"{name}地处{addr}，服务辖区内{5 + r.randrange(20)}个行政村和社区。"])),
                  md_table(["项目", "内容"], [["地址", addr], ["联系电话", phone], ["负责人", head],
                                            ["下辖惠农服务站", f"{3 + r.randrange(40)}个"]]),
                  ("p", f"网点特色：{feats[0]}，{feats[1]}。"),
                  ("p", f"主要服务区域：{'、'.join(villages)}等。"),
                  ("p", pick(r, ["营业时间按总行当年网点营业时间调整通知执行，节假日营业安排另行公告。", "本网点营业时间以总行每年发布的营业时间通知为准。"]))]
        fmt = "html" if i % 2 == 0 else "md"
        docs.append(Doc(path=f"branches/{short}.{fmt}" if short != "营业部" else f"branches/yingyebu.{fmt}",
                        title=f"{name}网点介绍", date=f"{2024}-0{1 + i % 9}-{10 + i}", blocks=blocks, dept="办公室",
                        date_style="update", kind="branch",
                        qa=[(pick(r, [f"{name}在什么地方？", f"{name}的地址是哪里？"]), [addr]),
                            (pick(r, [f"{name}电话多少？", f"{name}的联系电话是多少？"]), [phone])]))
    return docs


# ------------------------------------------------------------------------------------------------- misc notices
POSTS = ["支行副行长", "客户经理", "风险经理", "会计主管", "大堂经理", "信息科技部系统工程师", "普惠金融部产品经理",
         "内控审计部审计员", "个人金融部理财经理", "网络金融部运营专员"]


def misc_docs(n=56):
    docs = []
    for i in range(n):
        r = rng_for("misc", i)
        date = _date(r)
        y = int(date[:4])
        kind = i % 4
        if kind == 0:
            post = pick(r, POSTS)
            k = 1 + r.randrange(5)
            title = pick(r, [f"关于内部公开竞聘{post}的公告", f"{post}岗位内部竞聘公告"])
            blocks = [("p", f"因工作需要，经研究决定面向全行公开竞聘{post}{k}名。现将有关事项公告如下。"),
                      ("h", "竞聘条件"),
                      ("ul", [f"本科及以上学历，在本行工作满{2 + r.randrange(4)}年；", "近两年年度考核均为称职以上；",
                              pick(r, ["具有相关岗位工作经验者优先；", "持有相关专业资格证书者优先；"]), f"年龄在{40 + r.randrange(8)}周岁以下。"]),
                      ("h", "报名方式"),
                      ("p", f"符合条件的员工请于{cn_date(date)}起{5 + r.randrange(5)}日内通过OA提交《内部竞聘报名表》。竞聘采取资格审查、笔试、面试、考察等程序。")]
            dept = "人力资源部"
        elif kind == 1:
            cls = pick(r, ["客户经理", "新任支行行长", "柜面主管", "反洗钱岗位", "理财经理", "内训师", "信息科技"])
            title = f"关于举办{y}年{cls}专题培训班的通知"
            blocks = [("p", f"为提升{cls}队伍专业能力，人力资源部定于{cn_date(date)}起举办{cls}专题培训班，为期{2 + r.randrange(4)}天。"),
                      ("p", f"培训地点：{pick(r, ['总部大楼4楼第一会议室', '青禾市委党校', '禾丰县培训中心', '线上直播'])}。参训人员：{pick(r, ['各支行推荐人员', '相关岗位全体人员', '2年内新任职人员'])}，共{20 + r.randrange(80)}人。"),
                      ("h", "课程安排"),
                      ("ul", r.sample(["监管政策解读", "信贷调查实务", "案例分析", "沟通与营销技巧", "反洗钱实务", "柜面风险防控",
                                       "财务报表分析", "数字化转型", "职业道德与合规"], 4)),
                      ("p", "参训人员须全程参加，培训结束进行考试，考试成绩计入个人培训档案。")]
            dept = "人力资源部"
        elif kind == 2:
            act = pick(r, ["职工趣味运动会", "“书香青禾”读书月活动", "职工摄影比赛", "青年员工联谊活动", "职工健步走活动", "羽毛球比赛", "迎新春文艺汇演"])
            title = pick(r, [f"关于举办{y}年{act}的通知", f"工会关于开展{act}的通知"])
            blocks = [("p", f"为丰富职工文化生活，增强团队凝聚力，行工会决定于{cn_date(date)}举办{act}。"),
                      ("p", f"参加对象：全体在职职工。各分会请于活动前{3 + r.randrange(5)}天将报名名单报工会办公室。"),
                      ("ul", [pick(r, ["活动设团体奖和个人奖，获奖者颁发奖品。", "活动设一、二、三等奖和优秀组织奖。"]),
                              "参加活动人员注意安全，量力而行。", pick(r, ["活动所需经费从工会经费中列支。", "请各分会做好组织发动工作。"])])]
            dept = "工会委员会"
        else:
            item = pick(r, ["办公家具", "安防监控设备", "点验钞机", "网点装修工程", "物业服务", "宣传品印制", "网络设备", "押运服务"])
            win = pick(r, ["青禾市恒达办公设备有限公司", "禾丰县宏远建设工程有限公司", "云溪县安信科技有限公司", "青禾市诚信物业管理有限公司",
                           "青禾金盾押运服务有限公司", "青禾市印象广告有限公司"])
            title = f"{item}采购项目成交结果公示"
            blocks = [("p", f"本行{item}采购项目已按照集中采购管理办法完成评审，现将成交结果公示如下："),
                      md_table(["项目", "内容"], [["项目名称", f"{item}采购项目"], ["采购方式", pick(r, ["竞争性谈判", "询价", "公开招标"])],
                                                ["成交供应商", win], ["成交金额", f"{5 + r.randrange(200)}.{r.randrange(100):02d}万元"]]),
                      ("p", f"公示期为{cn_date(date)}起3个工作日。对公示结果有异议的，请在公示期内向办公室采购管理岗实名反映。")]
            dept = "办公室"
        fmt = pick(r, ["html", "md", "docx", "txt", "html"])
        path = pick(r, [f"notices/notice_{date[5:].replace('-', '')}_{i}.{fmt}", f"notices/{y}/通知{i + 1:03d}.{fmt}",
                        f"notices/gg{y}{i:03d}.{fmt}"])
        docs.append(Doc(path=path, title=title, date=date, blocks=blocks, dept=dept,
                        date_style=pick(r, ["top", "end", "iso", "meta"]), kind="misc"))
    return docs


def documents() -> list[Doc]:
    return news_docs() + minutes_docs() + tips_docs() + system_docs() + branch_docs() + misc_docs()
