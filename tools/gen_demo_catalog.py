#!/usr/bin/env python3
"""Writes data/demo/catalog.json: the demo catalog that `govshare demo` loads (about 150 entries).

Deterministic: run it again after changing a template. Each entry names its provider department (a key of
data/demo/organisation.json), the state the demo leaves it in, and its content in the API's form."""
import json
import os

def item(name, element, dtype, length, key=False, personal=False, level="general1"):
    return {"name": name, "element": element, "data_type": dtype, "length": length, "key": key,
            "personal": personal, "level": level}

ID = item("公民身份号码", "DE0001", "C", 18, True, True, "general4")
NAME = item("姓名", "DE0002", "C", 50, False, True, "general3")
SEX = item("性别", "DE0003", "C", 1, False, True, "general3")
BIRTH = item("出生日期", "DE0004", "D", 0, False, True, "general3")
NATION = item("民族", "DE0005", "C", 2, False, True, "general3")
DIV = item("行政区划代码", "DE0006", "C", 6)
ADDR = item("现住址", "DE0007", "C", 200, False, True, "general4")
MOBILE = item("手机号码", "DE0008", "C", 11, False, True, "general4")
USCC = item("统一社会信用代码", "DE0010", "C", 18, True)
ORG = item("机构名称", "DE0011", "C", 100)
REP = item("法定代表人", "DE0012", "C", 50, False, True, "general3")
REGDATE = item("登记日期", "DE0013", "D", 0)
BIZSCOPE = item("经营范围", "DE0014", "C", 2000)
HUJI = item("户籍地址", "DE0016", "C", 200, False, True, "general4")
UPDATED = item("数据更新时间", "DE0030", "T", 0)

def lic(name="证照编号"):
    return item(name, "DE0015", "C", 50, True, False, "general2")

def own(name, dtype="C", length=100, key=False, personal=False, level="general1"):
    return item(name, "", dtype, length, key, personal, level)

LEVELS = ["general1", "general2", "general3", "general4", "important", "core"]

def entry(dept, name, classification, abstract, items, subject="person", share="conditional",
          condition="用于法定职责范围内的业务办理，经提供部门同意", methods=("api",), freq="daily", dbs=(),
          scope=("政务服务",), keywords=(), fmt="database", state="published", level=None, open_attr="not_open"):
    base = {"101": "population", "102": "legal_person", "103": "natural_resource", "104": "macro_economy",
            "105": "social_credit", "106": "e_license"}
    if classification[0] == "1" and base[classification[:3]] not in dbs:
        dbs = [base[classification[:3]]] + list(dbs)  # Art. 13: a base-class resource belongs to its base database
    top = max((LEVELS.index(i["level"]) for i in items), default=0)
    lvl = level or LEVELS[top]
    content = {"name": name, "classification": classification, "abstract": abstract, "keywords": list(keywords),
               "format": fmt, "subject": subject, "share_type": share,
               "share_condition": condition if share == "conditional" else "",
               "share_methods": list(methods), "open_attribute": open_attr, "update_frequency": freq,
               "security_level": lvl, "scope_of_use": list(scope), "databases": list(dbs), "non_classified": True,
               "items": items}
    return {"department": dept, "state": state, "content": content}

E = []
add = E.append

# ---- 人口基础库 (省公安厅) ----
add(entry("hebei-psb", "常住人口基本信息", "10101", "全省常住人口的身份、户籍和居住信息，人口基础库的核心数据",
          [ID, NAME, SEX, BIRTH, NATION, HUJI, ADDR, item("联系电话", "DE0008", "C", 11, False, True, "general4"), DIV,
           UPDATED], dbs=["population"], freq="realtime",
          keywords=["人口", "户籍", "身份"], scope=["政务服务", "社会保障", "公共安全"], methods=["api", "table"]))
add(entry("hebei-psb", "户籍人口家庭关系信息", "10101", "户口簿登记的户号、户主及家庭成员关系",
          [ID, NAME, own("户号", "C", 20, False, True, "general3"), own("与户主关系", "C", 2, False, True, "general3"), DIV],
          dbs=["population"], keywords=["户籍", "家庭"], scope=["社会保障", "社会救助"]))
add(entry("hebei-psb", "人口出生登记信息", "10101", "新生儿户口登记信息", [ID, NAME, BIRTH, DIV], dbs=["population"],
          keywords=["出生", "人口"], scope=["卫生健康", "教育"]))
add(entry("hebei-psb", "人口死亡注销信息", "10101", "因死亡注销户口的人员信息",
          [ID, NAME, item("死亡日期", "DE0025", "D", 0, False, True, "general3"), DIV], dbs=["population"],
          keywords=["死亡", "注销", "人口"], scope=["社会保障", "养老保险待遇资格认证"]))
add(entry("hebei-psb", "流动人口居住登记信息", "10101", "流动人口居住登记和居住证办理信息",
          [ID, NAME, ADDR, DIV, REGDATE], dbs=["population"], keywords=["流动人口", "居住证"]))
add(entry("hebei-psb", "居民身份证签发信息", "10101", "居民身份证受理、签发和有效期",
          [ID, NAME, own("签发机关", "C", 50), own("有效期限", "C", 30), DIV], dbs=["population", "e_license"],
          keywords=["身份证", "证照"]))
add(entry("hebei-psb", "机动车登记信息", "30111", "机动车注册、转移、抵押和注销登记",
          [item("号牌号码", "DE0021", "C", 15, True, False, "general2"), own("车辆识别代号", "C", 17), own("车辆类型", "C", 4),
           ID, DIV, REGDATE], subject="object", keywords=["车辆", "机动车", "交通"], scope=["交通运输", "税务"]))
add(entry("hebei-psb", "机动车驾驶证信息", "30111", "机动车驾驶证申领、准驾车型和记分",
          [ID, NAME, lic("驾驶证档案编号"), own("准驾车型", "C", 10), DIV], keywords=["驾驶证", "交通"],
          dbs=["e_license"]))
add(entry("hebei-psb", "出入境证件签发信息", "30111", "普通护照和往来港澳台通行证签发信息",
          [ID, NAME, lic(), own("证件类型", "C", 4), DIV], keywords=["出入境", "护照"]))
add(entry("hebei-psb", "公安派出所基本信息", "30111", "全省公安派出所名称、地址和管辖范围",
          [own("派出所代码", "C", 12, True), ORG, own("管辖范围", "C", 500), DIV], subject="legal_person",
          share="unconditional", open_attr="open", freq="monthly", keywords=["派出所"]))

# ---- 法人单位基础库 (省市场监管局) ----
add(entry("hebei-amr", "市场主体登记信息", "10201", "全省企业、个体工商户和农民专业合作社的登记注册信息",
          [USCC, ORG, REP, REGDATE, BIZSCOPE, item("注册资本", "DE0022", "Y", 0), item("企业类型", "DE0023", "C", 4), DIV,
           UPDATED], subject="legal_person", dbs=["legal_person", "market"], freq="realtime",
          keywords=["企业", "法人", "市场主体", "营业执照"], scope=["政务服务", "税务", "金融监管"], methods=["api", "table"]))
add(entry("hebei-amr", "营业执照电子证照信息", "10601", "市场主体营业执照电子证照", [USCC, lic("营业执照编号"), ORG, REGDATE, DIV],
          subject="legal_person", dbs=["e_license", "legal_person"], share="unconditional", keywords=["营业执照", "证照"]))
add(entry("hebei-amr", "市场主体变更登记信息", "10201", "市场主体名称、住所、经营范围等事项变更",
          [USCC, own("变更事项", "C", 50), own("变更前内容", "C", 500), own("变更后内容", "C", 500), REGDATE, DIV],
          subject="legal_person", dbs=["legal_person"], keywords=["变更", "企业"]))
add(entry("hebei-amr", "市场主体注销信息", "10201", "市场主体注销登记信息", [USCC, ORG, REGDATE, DIV],
          subject="legal_person", dbs=["legal_person"], share="unconditional", keywords=["注销", "企业"]))
add(entry("hebei-amr", "经营异常名录信息", "10501", "列入和移出经营异常名录的市场主体",
          [USCC, ORG, own("列入原因", "C", 200), REGDATE, DIV], subject="legal_person", dbs=["social_credit", "market"],
          share="unconditional", open_attr="open", keywords=["信用", "经营异常"]))
add(entry("hebei-amr", "食品经营许可信息", "20401", "食品经营许可证核发信息", [USCC, lic("许可证编号"), ORG, REGDATE, DIV],
          subject="legal_person", dbs=["market", "e_license"], share="unconditional", keywords=["食品", "许可"]))
add(entry("hebei-amr", "特种设备使用登记信息", "20501", "电梯、锅炉等特种设备使用登记",
          [own("设备代码", "C", 30, True), USCC, own("设备类别", "C", 20), REGDATE, DIV], subject="object",
          keywords=["特种设备", "安全生产"]))

# ---- 自然资源 ----
for n, a, k in [("不动产登记信息", "不动产权利人、坐落、面积和权属状态", ["不动产", "不动产登记", "房屋"]),
                ("不动产抵押登记信息", "不动产抵押权设立、变更和注销", ["不动产", "抵押"]),
                ("不动产查封登记信息", "司法查封和解封登记", ["不动产", "查封"])]:
    add(entry("hebei-nr", n, "10301", a, [item("不动产单元号", "DE0020", "C", 28, True, False, "general2"),
                                          own("权利人", "C", 100, False, True, "general3"), ID, own("坐落", "C", 200),
                                          own("建筑面积", "N", 12), REGDATE, DIV], subject="object",
              dbs=["natural_resource"], keywords=k, scope=["住房保障", "税务", "司法"]))
add(entry("hebei-nr", "国土空间规划成果信息", "10302", "各级国土空间总体规划和详细规划成果",
          [own("规划编号", "C", 30, True), own("规划名称", "C", 100), own("批准日期", "D", 0), DIV], subject="object",
          dbs=["natural_resource"], share="unconditional", fmt="image", keywords=["国土空间", "规划"], freq="irregular",
          open_attr="open"))
add(entry("hebei-nr", "建设用地审批信息", "10301", "建设用地预审、农用地转用和土地征收审批",
          [own("批准文号", "C", 50, True), own("用地单位", "C", 100), own("用地面积", "N", 12), REGDATE, DIV],
          subject="object", dbs=["natural_resource"], share="unconditional", keywords=["建设用地", "审批"]))
add(entry("hebei-nr", "矿业权登记信息", "10301", "探矿权、采矿权登记信息",
          [lic("许可证号"), USCC, own("矿种", "C", 20), REGDATE, DIV], subject="legal_person", dbs=["natural_resource"],
          keywords=["矿业权"]))

# ---- 统计、发改 ----
for n, k in [("地区生产总值季度数据", ["GDP", "经济"]), ("规模以上工业增加值月度数据", ["工业", "经济"]),
             ("居民消费价格指数月度数据", ["CPI", "价格"]), ("城乡居民收支季度数据", ["收入", "消费"]),
             ("固定资产投资月度数据", ["投资"])]:
    add(entry("hebei-stats", n, "10401", f"全省及各市{n}", [own("统计期", "C", 7, True), DIV, own("指标值", "N", 16),
                                                            own("同比增速", "N", 8)], subject="other",
              dbs=["macro_economy"], share="unconditional", freq="monthly" if "月" in n else "quarterly",
              fmt="spreadsheet", methods=["table", "file"], keywords=k, open_attr="open", scope=["宏观决策"]))
add(entry("hebei-ndrc", "公共信用综合评价信息", "10501", "法人和非法人组织的公共信用综合评价结果",
          [USCC, ORG, own("评价等级", "C", 2), own("评价日期", "D", 0), DIV], subject="legal_person",
          dbs=["social_credit"], share="unconditional", keywords=["信用", "评价"]))
add(entry("hebei-ndrc", "严重失信主体名单信息", "10501", "各领域认定的严重失信主体名单",
          [USCC, ORG, own("认定部门", "C", 100), own("失信事由", "C", 500), REGDATE, DIV], subject="legal_person",
          dbs=["social_credit"], share="unconditional", open_attr="open", keywords=["失信", "信用", "黑名单"]))
add(entry("hebei-ndrc", "行政许可和行政处罚信用信息", "10501", "双公示行政许可和行政处罚信息",
          [own("决定文书号", "C", 50, True), USCC, own("决定类别", "C", 10), own("决定日期", "D", 0), DIV],
          subject="legal_person", dbs=["social_credit"], share="unconditional", open_attr="open",
          keywords=["双公示", "许可", "处罚"]))
add(entry("hebei-ndrc", "固定资产投资项目审批信息", "30125", "投资项目审批、核准和备案",
          [own("项目代码", "C", 24, True), own("项目名称", "C", 200), USCC, own("总投资", "Y", 0), REGDATE, DIV],
          subject="object", share="unconditional", keywords=["投资项目", "审批"]))

# ---- 人社 (with the duplicate: 参保人员 collects population data again) ----
add(entry("hebei-hrss", "参保人员基本信息", "20301", "企业职工和城乡居民基本养老保险参保人员登记信息",
          [ID, NAME, SEX, BIRTH, NATION, HUJI, DIV, item("参保状态", "DE0024", "C", 1, False, True, "general3")],
          dbs=["social_security"], keywords=["社保", "养老保险", "参保"], scope=["社会保障"]))
add(entry("hebei-hrss", "养老保险待遇发放信息", "20301", "基本养老保险待遇领取人员和发放金额",
          [ID, NAME, own("发放年月", "C", 6), own("发放金额", "Y", 0, False, True, "general3"), DIV],
          dbs=["social_security"], keywords=["社保", "养老金"], scope=["社会保障", "社会救助"], freq="monthly"))
add(entry("hebei-hrss", "社会保障卡信息", "20301", "社会保障卡制发和应用状态",
          [item("社会保障号码", "DE0019", "C", 18, True, True, "general4"), NAME, own("卡状态", "C", 2), DIV],
          dbs=["social_security", "e_license"], keywords=["社保卡"]))
add(entry("hebei-hrss", "失业保险金领取信息", "20301", "失业保险金申领和发放", [ID, NAME, own("领取月数", "I", 0), DIV],
          dbs=["social_security"], keywords=["失业保险", "社保"], freq="monthly"))
add(entry("hebei-hrss", "工伤认定信息", "20301", "工伤认定申请和结论", [ID, NAME, USCC, own("认定结论", "C", 20), REGDATE, DIV],
          dbs=["social_security"], keywords=["工伤"]))
add(entry("hebei-hrss", "就业登记信息", "20301", "城乡劳动者就业和失业登记", [ID, NAME, USCC, REGDATE, DIV],
          dbs=["social_security"], keywords=["就业", "失业登记"]))
add(entry("hebei-hrss", "职业资格证书信息", "10601", "专业技术人员职业资格证书", [lic(), ID, NAME, own("资格名称", "C", 50), REGDATE],
          dbs=["e_license"], keywords=["职业资格", "证书"]))

# ---- 卫健、医保 ----
add(entry("hebei-health", "出生医学证明信息", "20201", "出生医学证明签发信息",
          [lic("出生医学证明编号"), own("新生儿姓名", "C", 50, False, True, "general3"), BIRTH,
           item("母亲身份号码", "DE0001", "C", 18, False, True, "general4"), DIV],
          dbs=["health", "e_license"], keywords=["出生", "医学证明"]))
add(entry("hebei-health", "医疗机构执业许可信息", "20201", "医疗机构执业登记和校验", [USCC, lic("许可证登记号"), ORG, REGDATE, DIV],
          subject="legal_person", dbs=["health"], share="unconditional", open_attr="open", keywords=["医疗机构", "许可"]))
add(entry("hebei-health", "医师执业注册信息", "20201", "医师执业注册和变更", [ID, NAME, lic("执业证书编码"), own("执业范围", "C", 50), DIV],
          dbs=["health"], keywords=["医师", "执业"]))
add(entry("hebei-health", "预防接种信息", "20201", "儿童预防接种记录", [ID, NAME, own("疫苗名称", "C", 50), own("接种日期", "D", 0), DIV],
          dbs=["health"], keywords=["疫苗", "接种"], level="important"))
add(entry("hebei-health", "死亡医学证明信息", "20201", "居民死亡医学证明（推断）书",
          [ID, NAME, item("死亡日期", "DE0025", "D", 0, False, True, "general3"), own("死亡原因", "C", 200, False, True, "general4"), DIV],
          dbs=["health"], keywords=["死亡", "医学证明"]))
add(entry("hebei-hsa", "医保参保登记信息", "20202", "基本医疗保险参保登记",
          [ID, NAME, own("险种", "C", 4), own("参保日期", "D", 0), DIV], dbs=["health"], keywords=["医保", "参保"]))
add(entry("hebei-hsa", "医保结算信息", "20202", "住院和门诊费用医保结算",
          [own("结算流水号", "C", 40, True), ID, item("结算金额", "DE0034", "Y", 0, False, True, "general3"), own("结算日期", "D", 0), DIV],
          dbs=["health"], keywords=["医保", "结算"], level="important"))
add(entry("hebei-hsa", "定点医药机构信息", "20202", "医保定点医疗机构和零售药店", [USCC, ORG, own("定点类型", "C", 10), DIV],
          subject="legal_person", dbs=["health"], share="unconditional", open_attr="open", keywords=["定点", "药店", "医保"]))
add(entry("hebei-hsa", "医疗救助信息", "20202", "医疗救助对象和救助金额", [ID, NAME, own("救助金额", "Y", 0, False, True, "general3"), DIV],
          dbs=["health", "social_security"], keywords=["医疗救助"]))

# ---- 民政 ----
add(entry("hebei-civil", "婚姻登记信息", "20101", "结婚、离婚登记信息",
          [own("登记证字号", "C", 30, True), own("男方身份号码", "C", 18, False, True, "general4") | {"element": "DE0001"},
           own("女方身份号码", "C", 18, False, True, "general4") | {"element": "DE0001"},
           own("登记类型", "C", 2), REGDATE, DIV], dbs=["public_service"], keywords=["婚姻", "结婚", "离婚"],
          scope=["政务服务", "住房保障"]))
add(entry("hebei-civil", "最低生活保障对象信息", "20301", "城乡低保对象和保障金额", [ID, NAME, own("保障金额", "Y", 0, False, True, "general3"), DIV],
          dbs=["social_security"], keywords=["低保", "救助"], freq="monthly"))
add(entry("hebei-civil", "特困人员供养信息", "20301", "特困人员认定和供养", [ID, NAME, own("供养方式", "C", 10), DIV],
          dbs=["social_security"], keywords=["特困", "救助"]))
add(entry("hebei-civil", "社会组织登记信息", "10201", "社会团体、民办非企业单位和基金会登记",
          [USCC, ORG, own("业务主管单位", "C", 100), REGDATE, DIV], subject="legal_person", dbs=["legal_person"], share="unconditional",
          open_attr="open", keywords=["社会组织", "社团"]))
add(entry("hebei-civil", "殡葬服务信息", "20101", "遗体火化和殡葬服务", [ID, NAME, own("火化日期", "D", 0), DIV],
          dbs=["public_service"], keywords=["殡葬", "火化"]))
add(entry("hebei-civil", "残疾人两项补贴信息", "20301", "困难残疾人生活补贴和重度残疾人护理补贴",
          [ID, NAME, own("补贴金额", "Y", 0, False, True, "general3"), DIV], dbs=["social_security"], keywords=["残疾人", "补贴"]))

# ---- 教育 ----
add(entry("hebei-edu", "高等教育学历证书信息", "10601", "普通高等学校毕业证书", [lic("证书编号"), ID, NAME, own("学校名称", "C", 100), own("专业", "C", 50), REGDATE],
          dbs=["e_license"], keywords=["学历", "毕业证书", "教育"]))
add(entry("hebei-edu", "中小学学籍信息", "20102", "义务教育和普通高中学生学籍",
          [item("学籍号", "DE0033", "C", 30, True, True, "general3"), ID, NAME, own("学校名称", "C", 100), DIV],
          dbs=["public_service"], keywords=["学籍", "学生", "教育"], level="important"))
add(entry("hebei-edu", "教师资格证书信息", "10601", "教师资格认定和证书", [lic(), ID, NAME, own("任教学科", "C", 30), REGDATE],
          dbs=["e_license"], keywords=["教师资格", "证书"]))
add(entry("hebei-edu", "学校基本信息", "20102", "各级各类学校名称、类型和办学地址", [USCC, ORG, own("学校类型", "C", 10), DIV],
          subject="legal_person", share="unconditional", open_attr="open", keywords=["学校"]))
add(entry("hebei-edu", "学生资助信息", "20102", "家庭经济困难学生资助", [ID, NAME, own("资助金额", "Y", 0, False, True, "general3"), DIV],
          keywords=["资助", "学生"]))

# ---- 住建 ----
add(entry("hebei-housing", "商品房网签备案信息", "20901", "新建商品房买卖合同网签备案",
          [own("合同编号", "C", 40, True), ID, own("房屋坐落", "C", 200), own("成交价格", "Y", 0), DIV], subject="object",
          dbs=["urban"], keywords=["商品房", "网签", "房屋"]))
add(entry("hebei-housing", "住房公积金缴存信息", "20901", "住房公积金个人账户缴存", [ID, NAME, USCC, own("月缴存额", "Y", 0, False, True, "general3"), DIV],
          dbs=["urban"], keywords=["公积金"], freq="monthly"))
add(entry("hebei-housing", "建筑业企业资质信息", "20901", "建筑业企业资质证书", [USCC, lic("资质证书编号"), ORG, own("资质类别", "C", 50), DIV],
          subject="legal_person", dbs=["urban", "e_license"], share="unconditional", open_attr="open", keywords=["资质", "建筑"]))
add(entry("hebei-housing", "建设工程施工许可信息", "20901", "建筑工程施工许可证核发", [lic("施工许可证编号"), USCC, own("工程名称", "C", 200), REGDATE, DIV],
          subject="object", dbs=["urban"], share="unconditional", keywords=["施工许可"]))
add(entry("hebei-housing", "公共租赁住房保障信息", "20901", "公租房保障对象和配租", [ID, NAME, own("配租房源", "C", 100), DIV],
          dbs=["urban"], keywords=["公租房", "住房保障"]))

# ---- 生态环境 ----
add(entry("hebei-eco", "排污许可信息", "21101", "排污单位排污许可证核发", [item("许可证编号", "DE0028", "C", 30, True, False, "general2"), USCC, ORG, REGDATE, DIV],
          subject="legal_person", dbs=["eco", "e_license"], share="unconditional", open_attr="open", keywords=["排污许可", "环保", "环境"]))
add(entry("hebei-eco", "环境影响评价审批信息", "21101", "建设项目环评文件审批", [own("批复文号", "C", 50, True), USCC, own("项目名称", "C", 200), REGDATE, DIV],
          subject="object", dbs=["eco"], share="unconditional", open_attr="open", keywords=["环评", "环境"]))
add(entry("hebei-eco", "重点排污单位自动监测数据", "21101", "重点排污单位废水废气在线监测", [USCC, own("监测点位", "C", 50, True), own("监测因子", "C", 20), own("监测值", "N", 12), own("监测时间", "T", 0)],
          subject="legal_person", dbs=["eco"], share="unconditional", freq="realtime", keywords=["在线监测", "排污"]))
add(entry("hebei-eco", "环境行政处罚信息", "21101", "生态环境行政处罚决定", [own("处罚决定书文号", "C", 50, True), USCC, own("处罚金额", "Y", 0), REGDATE, DIV],
          subject="legal_person", dbs=["eco", "social_credit"], share="unconditional", open_attr="open", keywords=["处罚", "环境"]))
add(entry("hebei-eco", "空气质量监测数据", "21101", "城市空气质量小时监测数据", [own("站点编码", "C", 10, True), DIV, own("AQI", "I", 0), own("监测时间", "T", 0)],
          subject="other", dbs=["eco"], share="unconditional", freq="realtime", open_attr="open", keywords=["空气质量", "AQI"]))

# ---- 税务、交通、农业 ----
add(entry("hebei-tax", "纳税人登记信息", "30124", "纳税人税务登记信息", [USCC, ORG, own("纳税人状态", "C", 2), DIV],
          subject="legal_person", keywords=["纳税人", "税务"]))
add(entry("hebei-tax", "纳税信用等级信息", "10501", "纳税信用A级纳税人名单", [USCC, ORG, own("信用等级", "C", 1), own("评价年度", "C", 4)],
          subject="legal_person", dbs=["social_credit"], share="unconditional", open_attr="open", keywords=["纳税信用", "信用"], freq="yearly"))
add(entry("hebei-tax", "个人所得税纳税记录", "30124", "个人所得税完税记录", [ID, NAME, own("所属期", "C", 6), own("税额", "Y", 0, False, True, "general3")],
          keywords=["个税", "纳税记录"], level="important"))
add(entry("hebei-tax", "发票开具统计信息", "30124", "按行业汇总的发票开具统计", [own("统计月份", "C", 7, True), own("行业代码", "C", 4), own("开票金额", "Y", 0), DIV],
          subject="other", keywords=["发票"], fmt="spreadsheet", methods=["table"], freq="monthly"))
add(entry("hebei-transport", "道路运输经营许可信息", "30126", "道路运输经营许可证", [lic("许可证号"), USCC, ORG, own("经营范围", "C", 200), DIV],
          subject="legal_person", share="unconditional", keywords=["道路运输", "许可"]))
add(entry("hebei-transport", "营运车辆道路运输证信息", "30126", "营运车辆道路运输证", [item("车牌号码", "DE0021", "C", 15, True, False, "general2"), lic("道路运输证号"), USCC, DIV],
          subject="object", keywords=["营运车辆", "运输证"]))
add(entry("hebei-transport", "网约车驾驶员证信息", "30126", "网络预约出租汽车驾驶员证", [ID, NAME, lic("证件编号"), DIV],
          keywords=["网约车", "驾驶员"]))
add(entry("hebei-transport", "高速公路通行数据", "30126", "高速公路收费站出入口流量", [own("收费站编码", "C", 20, True), own("统计时段", "C", 16), own("车流量", "I", 0), DIV],
          subject="other", share="unconditional", freq="daily", fmt="spreadsheet", methods=["table"], keywords=["高速公路", "交通流量"]))
add(entry("hebei-agri", "农村土地承包经营权信息", "30127", "农村土地承包经营权确权登记", [own("承包合同编号", "C", 30, True), ID, own("承包面积", "N", 10), DIV],
          subject="object", keywords=["土地承包", "农村"]))
add(entry("hebei-agri", "农业补贴发放信息", "30127", "耕地地力保护补贴发放", [ID, NAME, own("补贴金额", "Y", 0, False, True, "general3"), DIV],
          keywords=["农业补贴"], freq="yearly"))
add(entry("hebei-agri", "农民专业合作社信息", "30127", "农民专业合作社示范社名录", [USCC, ORG, own("示范级别", "C", 10), DIV],
          subject="legal_person", share="unconditional", open_attr="open", keywords=["合作社", "农业"]))
add(entry("hebei-agri", "动物检疫证明信息", "30127", "动物及动物产品检疫合格证明", [lic("证明编号"), own("货主", "C", 100), own("数量", "I", 0), REGDATE, DIV],
          subject="object", share="unconditional", keywords=["检疫", "动物"]))

# ---- the authority's own (e-licences, service matters) ----
add(entry("hebei-authority", "政务服务事项目录", "20103", "全省政务服务事项基本目录和实施清单",
          [own("事项编码", "C", 40, True), own("事项名称", "C", 200), own("实施机构", "C", 100), DIV], subject="other",
          dbs=["public_service"], share="unconditional", open_attr="open", keywords=["政务服务", "事项"], freq="weekly"))
add(entry("hebei-authority", "政务服务办件信息", "20103", "政务服务事项办件受理和办结",
          [own("办件编号", "C", 40, True), own("事项编码", "C", 40), ID, item("办理时间", "DE0029", "T", 0), DIV],
          dbs=["public_service"], keywords=["办件", "政务服务"], freq="realtime"))
add(entry("hebei-authority", "好差评信息", "20103", "政务服务好差评评价", [own("评价编号", "C", 40, True), own("办件编号", "C", 40), own("评价等级", "C", 2), DIV],
          subject="other", dbs=["public_service"], share="unconditional", keywords=["好差评"]))

# ---- cities and counties: local business data ----
CITY = [("sjz", "石家庄市", "130100"), ("ts", "唐山市", "130200"), ("hd", "邯郸市", "130400"), ("bd", "保定市", "130600"),
        ("lf", "廊坊市", "131000")]
for key, city, _ in CITY:
    dept = f"{key}-authority"
    add(entry(dept, f"{city}政务服务事项实施清单", "20103", f"{city}各级政务服务事项实施清单",
              [own("事项编码", "C", 40, True), own("事项名称", "C", 200), own("实施机构", "C", 100), DIV], subject="other",
              dbs=["public_service"], share="unconditional", open_attr="open", keywords=["政务服务", "事项"], freq="weekly"))
    add(entry(dept, f"{city}12345热线工单信息", "20103", f"{city}12345政务服务便民热线诉求工单",
              [own("工单编号", "C", 40, True), own("诉求类型", "C", 20), own("办理部门", "C", 100), DIV, item("办理时间", "DE0029", "T", 0)],
              subject="other", dbs=["public_service"], keywords=["12345", "热线", "工单"], freq="realtime"))
    add(entry(dept, f"{city}人口统计年度数据", "10401", f"{city}分区县常住人口统计", [own("统计年度", "C", 4, True), DIV, own("常住人口", "I", 0)],
              subject="other", dbs=["macro_economy"], share="unconditional", open_attr="open", keywords=["人口", "统计"],
              freq="yearly", fmt="spreadsheet", methods=["table", "file"]))
for key, city, _ in [("sjz", "石家庄市", ""), ("bd", "保定市", ""), ("zd", "正定县", "")]:
    dept = f"{key}-psb"
    add(entry(dept, f"{city}户政业务办理记录", "30111", f"{city}户口迁移、变更业务办理", [own("业务流水号", "C", 40, True), ID, NAME, own("业务类型", "C", 10), DIV],
              keywords=["户政", "户口迁移"]))
    add(entry(dept, f"{city}居住证办理信息", "30111", f"{city}居住证受理和签发", [lic("居住证编号"), ID, NAME, ADDR, DIV],
              keywords=["居住证", "流动人口"]))
    add(entry(dept, f"{city}道路交通事故信息", "30111", f"{city}道路交通事故处理", [own("事故编号", "C", 30, True), own("事故地点", "C", 200), own("事故时间", "T", 0), DIV],
              subject="other", keywords=["交通事故"]))
add(entry("sjz-amr", "石家庄市食品安全抽检信息", "20401", "食品安全监督抽检结果", [own("抽样单号", "C", 30, True), USCC, own("食品名称", "C", 100), own("检验结论", "C", 10), DIV],
          subject="legal_person", dbs=["market"], share="unconditional", open_attr="open", keywords=["食品安全", "抽检"]))
add(entry("sjz-amr", "石家庄市个体工商户登记信息", "10201", "石家庄市个体工商户登记",
          [USCC, own("字号名称", "C", 100), own("经营者", "C", 50, False, True, "general3"), REGDATE, DIV], subject="legal_person",
          dbs=["legal_person"], keywords=["个体工商户"]))
add(entry("ts-health", "唐山市家庭医生签约信息", "20201", "家庭医生签约服务", [ID, NAME, own("签约团队", "C", 100), own("签约日期", "D", 0), DIV],
          dbs=["health"], keywords=["家庭医生", "签约"]))
add(entry("ts-health", "唐山市医疗机构床位信息", "20201", "医疗机构床位和使用情况", [USCC, ORG, own("床位数", "I", 0), DIV],
          subject="legal_person", share="unconditional", open_attr="open", keywords=["床位", "医疗机构"]))
add(entry("hd-civil", "邯郸市养老机构信息", "20101", "养老机构备案和床位", [USCC, ORG, own("床位数", "I", 0), DIV],
          subject="legal_person", share="unconditional", open_attr="open", keywords=["养老机构", "养老"]))
add(entry("hd-civil", "邯郸市高龄津贴发放信息", "20301", "80周岁以上老年人高龄津贴", [ID, NAME, own("津贴金额", "Y", 0, False, True, "general3"), DIV],
          dbs=["social_security"], keywords=["高龄津贴", "养老"]))
add(entry("bd-hrss", "保定市职业技能培训信息", "20301", "职业技能培训补贴", [ID, NAME, own("培训工种", "C", 50), own("补贴金额", "Y", 0, False, True, "general3"), DIV],
          dbs=["social_security"], keywords=["技能培训", "就业"]))
add(entry("bd-hrss", "保定市人力资源服务机构信息", "20301", "经营性人力资源服务机构许可", [USCC, ORG, lic("许可证编号"), DIV],
          subject="legal_person", share="unconditional", open_attr="open", keywords=["人力资源服务"]))
add(entry("xiongan-public", "雄安新区居民服务卡信息", "20103", "雄安新区居民服务一卡通", [own("卡号", "C", 20, True), ID, NAME, DIV],
          keywords=["雄安", "一卡通"]))
add(entry("xiongan-public", "雄安新区公共服务设施信息", "20103", "学校、医院、社区服务中心等公共服务设施", [own("设施编码", "C", 20, True), own("设施名称", "C", 100), own("设施类型", "C", 10), DIV],
          subject="object", share="unconditional", open_attr="open", keywords=["公共服务设施", "雄安"]))
add(entry("xiongan-public", "雄安新区建设项目信息", "20901", "新区重点建设项目", [own("项目代码", "C", 24, True), own("项目名称", "C", 200), USCC, DIV],
          subject="object", dbs=["urban"], share="unconditional", keywords=["建设项目", "雄安"]))
for key, city in [("dz", "定州市"), ("xj", "辛集市")]:
    add(entry(f"{key}-authority", f"{city}政务服务事项实施清单", "20103", f"{city}政务服务事项实施清单",
              [own("事项编码", "C", 40, True), own("事项名称", "C", 200), DIV], subject="other", dbs=["public_service"],
              share="unconditional", open_attr="open", keywords=["政务服务"], freq="weekly"))

# ---- more provincial datasets to reach a realistic catalog size ----
EXTRA = [
    ("hebei-psb", "旅馆业住宿登记信息", "30111", [ID, NAME, own("旅馆名称", "C", 100), own("入住时间", "T", 0), DIV], ["住宿", "旅馆"], "important"),
    ("hebei-psb", "保安员证信息", "30111", [ID, NAME, lic("保安员证编号"), DIV], ["保安员"], None),
    ("hebei-amr", "计量器具强制检定信息", "20401", [own("器具编号", "C", 30, True), USCC, own("检定结论", "C", 10), REGDATE, DIV], ["计量", "检定"], None),
    ("hebei-amr", "产品质量监督抽查信息", "20401", [own("抽查编号", "C", 30, True), USCC, own("产品名称", "C", 100), own("结论", "C", 10), DIV], ["产品质量", "抽查"], None),
    ("hebei-amr", "药品零售许可信息", "20401", [USCC, lic("许可证编号"), ORG, REGDATE, DIV], ["药品", "许可"], None),
    ("hebei-nr", "测绘资质信息", "10302", [USCC, lic("资质证书编号"), ORG, own("资质等级", "C", 10), DIV], ["测绘", "资质"], None),
    ("hebei-health", "传染病报告统计信息", "20201", [own("统计周期", "C", 10, True), DIV, own("病种", "C", 50), own("报告数", "I", 0)], ["传染病", "统计"], "important"),
    ("hebei-health", "护士执业注册信息", "20201", [ID, NAME, lic("执业证书编号"), DIV], ["护士", "执业"], None),
    ("hebei-civil", "地名信息", "20101", [own("地名代码", "C", 20, True), own("标准名称", "C", 100), own("地名类别", "C", 10), DIV], ["地名"], None),
    ("hebei-civil", "收养登记信息", "20101", [own("登记证号", "C", 30, True), own("收养人身份号码", "C", 18, False, True, "general4") | {"element": "DE0001"}, REGDATE, DIV], ["收养"], None),
    ("hebei-edu", "民办学校办学许可信息", "20102", [USCC, lic("办学许可证号"), ORG, DIV], ["民办学校", "许可"], None),
    ("hebei-edu", "高校毕业生就业信息", "20102", [ID, NAME, own("就业单位", "C", 100), own("毕业年份", "C", 4), DIV], ["毕业生", "就业"], None),
    ("hebei-housing", "物业服务企业信息", "20901", [USCC, ORG, own("在管项目数", "I", 0), DIV], ["物业"], None),
    ("hebei-housing", "房屋安全鉴定信息", "20901", [own("鉴定编号", "C", 30, True), own("房屋坐落", "C", 200), own("鉴定等级", "C", 2), DIV], ["房屋安全", "鉴定"], None),
    ("hebei-eco", "危险废物经营许可信息", "21101", [USCC, lic("许可证编号"), ORG, own("经营类别", "C", 100), DIV], ["危险废物", "许可"], None),
    ("hebei-eco", "辐射安全许可信息", "21101", [USCC, lic("许可证编号"), ORG, DIV], ["辐射安全", "许可"], None),
    ("hebei-tax", "欠税公告信息", "10501", [USCC, ORG, own("欠税税种", "C", 20), own("欠税余额", "Y", 0), DIV], ["欠税", "信用"], None),
    ("hebei-transport", "水路运输许可信息", "30126", [USCC, lic("许可证编号"), ORG, DIV], ["水路运输"], None),
    ("hebei-transport", "公交线路信息", "30126", [own("线路编号", "C", 20, True), own("线路名称", "C", 50), own("首末站", "C", 100), DIV], ["公交", "线路"], None),
    ("hebei-agri", "兽药经营许可信息", "30127", [USCC, lic("许可证编号"), ORG, DIV], ["兽药"], None),
    ("hebei-agri", "种子生产经营许可信息", "30127", [USCC, lic("许可证编号"), ORG, own("作物种类", "C", 50), DIV], ["种子", "许可"], None),
    ("hebei-hsa", "医保药品目录信息", "20202", [own("药品编码", "C", 20, True), own("药品名称", "C", 100), own("报销类别", "C", 2)], ["药品目录", "医保"], None),
    ("hebei-hrss", "劳动保障监察信息", "20301", [own("案件编号", "C", 30, True), USCC, own("违法事实", "C", 500), REGDATE, DIV], ["劳动监察", "欠薪"], None),
    ("hebei-hrss", "技工院校学籍信息", "20301", [item("学籍号", "DE0033", "C", 30, True, True, "general3"), ID, NAME, own("学校名称", "C", 100), DIV], ["技工院校", "学籍"], None),
    ("hebei-ndrc", "价格监测信息", "20601", [own("监测品种", "C", 50, True), own("监测日期", "D", 0), own("价格", "Y", 0), DIV], ["价格监测", "价格"], None),
    ("hebei-ndrc", "重点用能单位能耗信息", "20701", [USCC, ORG, own("综合能耗", "N", 16), own("统计年度", "C", 4)], ["能耗", "能源"], None),
    ("hebei-stats", "人口抽样调查数据", "10401", [own("调查年度", "C", 4, True), DIV, own("指标", "C", 50), own("指标值", "N", 16)], ["人口", "抽样调查"], None),
    ("hebei-stats", "经济普查单位名录", "10401", [USCC, ORG, own("行业代码", "C", 4), DIV], ["经济普查", "名录"], None),
]
for dept, name, cls, items, kws, lvl in EXTRA:
    subject = "legal_person" if items[0] is USCC or any(i is USCC for i in items[:2]) else (
        "person" if any(i is ID for i in items) else "other")
    unconditional = subject != "person" and lvl is None and not any(i.get("personal") for i in items)
    add(entry(dept, name, cls, f"{name}（{', '.join(kws)}）", items, subject=subject,
              share="unconditional" if unconditional else "conditional", keywords=kws, level=lvl,
              open_attr="open" if unconditional and subject != "other" else "not_open"))

# ---- entries the demo leaves in process ----
PENDING = [
    entry("hebei-psb", "重点人员管控信息", "30111", "公安机关依法掌握的重点人员信息（拟列入负面清单）",
          [ID, NAME, own("管控类别", "C", 10, False, True, "important"), DIV], level="important",
          keywords=["重点人员"], state="negative_list"),
    entry("hebei-psb", "人口变动统计信息", "10101", "按月统计的出生、死亡、迁入、迁出人口数",
          [own("统计月份", "C", 7, True), DIV, own("出生人数", "I", 0), own("死亡人数", "I", 0)], subject="other",
          dbs=["population"], share="unconditional", keywords=["人口", "统计"], state="in_review", freq="monthly"),
    entry("hebei-psb", "电动自行车登记信息", "30111", "电动自行车上牌登记",
          [own("号牌号码", "C", 15, True), ID, own("品牌型号", "C", 50), DIV], subject="object",
          keywords=["电动自行车"], state="in_review"),
    entry("hebei-amr", "知识产权质押登记信息", "20401", "专利权和商标专用权质押登记",
          [own("登记号", "C", 30, True), USCC, own("质押金额", "Y", 0), REGDATE, DIV], subject="legal_person",
          keywords=["知识产权", "质押"], state="in_review"),
    entry("hebei-hrss", "人才引进落户信息", "20301", "高层次人才引进和落户",
          [ID, NAME, own("人才类别", "C", 10), REGDATE, DIV], keywords=["人才", "落户"], state="in_review"),
    entry("sjz-psb", "石家庄市犬只登记信息", "30111", "养犬登记和年检",
          [own("犬只编号", "C", 20, True), ID, own("犬种", "C", 30), DIV], subject="object", keywords=["养犬"],
          state="in_review"),
    entry("hebei-psb", "户口迁移证明信息", "10101", "户口迁移证签发（草稿）",
          [ID, NAME, own("迁出地", "C", 200), DIV], dbs=["population"], keywords=["户口迁移"], state="draft"),
    entry("hebei-eco", "碳排放配额信息", "21101", "重点排放单位碳排放配额（草稿）",
          [USCC, ORG, own("配额量", "N", 16)], subject="legal_person", keywords=["碳排放"], state="draft"),
    entry("hebei-tax", "社保费缴费信息", "30124", "社会保险费缴费记录（草稿）", [ID, NAME, own("缴费金额", "Y", 0)],
          keywords=["社保费"], state="draft"),
]
E.extend(PENDING)

names = set()
for e in E:
    key = (e["department"], e["content"]["name"])
    assert key not in names, key
    names.add(key)
out = os.path.join(os.path.dirname(__file__), "..", "data", "demo", "catalog.json")
with open(out, "w", encoding="utf-8") as f:
    json.dump({"note": "Generated by tools/gen_demo_catalog.py; edit the generator, not this file.", "entries": E}, f,
              ensure_ascii=False, indent=1)
print(len(E), "entries")
