"""Version 1 of the medical-access table: the city health commission's guide of 9 Nov 2022.

Source: 株洲日报, "静默期间 红黄码人员这样就医" (seed 000). Each rule names the sentences it
encodes (S1..S11 below, quoted as printed). Plain data, no models: the data migration reads
it through ``apps.get_model``, and the tests read it to check the table row by row.

S7 reads "应佩戴口罩坐公共交通工具" as printed; the instructions keep that literal reading
(wear a mask on public transport) rather than guess at a missing "不".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

S1 = "红黄码及隔离管控人员原则上在辖区内定点医院医疗机构就诊。"
S2 = "危急重症确需跨区转院的,请提前与跨区定点医院机构联系。"
S3 = (
    "红码人员如有就医需求,请及时联系所在社区或隔离场所负责人,拨打120急救电话,等待派车闭环转运就医。"
)
S4 = (
    "处于中高风险区或集中隔离场所的黄码人员,应该集中隔离但经批准执行居家隔离医学观察的人员"
    "如有就医需求,按照红码人员就医要求就诊。"
)
S5 = "处于居家隔离监测人员或其他黄码人员,原则上待健康码恢复成绿码后再前往辖区医疗机构就诊。"
S6 = "确需就医的,要提前查询定点医院最新的就诊要求,按要求就诊。"
S7 = "前往定点医院时,应佩戴口罩坐公共交通工具,全程做好个人防护,与他人保持社交距离。"
S8 = "就诊结束后应立即返回,不在外逗留。"
S9 = (
    "急危重症患者、血液透析患者、孕产妇、新生儿和需要放化疗的肿瘤患者等特殊就医需求人员,"
    "要提前联系所在地定点医院,按机构方就诊要求就诊。"
)
S10 = (
    "此外,急危重症患者,无论健康码是红码还是黄码,遇紧急情况可拨打120急救电话,"
    "并提前告知接线员患者的健康情况。"
)
S11 = "值得注意的是,孕产区内孕产妇有就诊需求的,可直接与株洲市中心医院联系,定点就医。"
NATIONAL_EMERGENCY = (
    "国家规定：急危重症患者不得因核酸检测结果等待或被拒诊（全国通行规则，非本节原文）。"
)
NATIONAL_FEVER = "发热患者到发热门诊就诊（全国通行规则，非本节原文）。"

SENTENCES = {
    "S1": S1,
    "S2": S2,
    "S3": S3,
    "S4": S4,
    "S5": S5,
    "S6": S6,
    "S7": S7,
    "S8": S8,
    "S9": S9,
    "S10": S10,
    "S11": S11,
}

RED_LIKE = (  # S4: these follow the red-code rules
    ("red", {"colours": ["red"]}),
    ("yellow_risk_area", {"colours": ["yellow"], "risks": ["medium", "high"]}),
    ("quarantined", {"quarantines": ["centralised", "home_quarantine"]}),
)
SPECIAL = ["critical", "dialysis", "newborn", "chemo"]

ZH_GO_MASKED = (
    "前往医院时应佩戴口罩，乘坐公共交通工具时全程做好个人防护，与他人保持社交距离；"
    "就诊结束后立即返回，不在外逗留。"
)
EN_GO_MASKED = (
    "On the way wear a mask, protect yourself the whole way (also on public transport) and "
    "keep your distance from others; go home straight after the visit, do not linger outside."
)
ZH_RED = (
    "请及时联系所在社区或隔离场所负责人，拨打120急救电话，等待派车闭环转运到{hospital}就医。"
    "不要自行前往。"
)
EN_RED = (
    "Contact your community or quarantine-site lead now and call 120, then wait for the "
    "closed-loop transfer to {hospital}. Do not go on your own."
)


def _rule(name: str, sources: list[str], **fields: Any) -> dict[str, Any]:
    text = "\n".join(SENTENCES.get(s, s) for s in sources)
    return {"name": name, "source_text": text, **fields}


def seed_rules() -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = [
        _rule(
            "emergency_120",
            ["S10", NATIONAL_EMERGENCY],
            urgencies=["emergency"],
            where="nearest",
            how="transfer_120",
            notify=["operator_120"],
            instructions_zh="紧急情况请立即拨打120急救电话，并提前告知接线员患者的健康情况"
            "（健康码颜色、是否隔离）。急救不等待核酸检测结果。就近有救治能力的医院：{hospital}。",
            instructions_en="Call 120 now and tell the operator the patient's health status "
            "(code colour, quarantine) first. An emergency never waits for test results. "
            "Nearest hospital able to treat: {hospital}.",
        ),
    ]
    for suffix, condition in RED_LIKE:
        rules.append(
            _rule(
                f"pregnant_{suffix}",
                ["S11", "S9", "S3", "S4"] if suffix != "red" else ["S11", "S9", "S3"],
                needs=["pregnant"],
                **condition,
                where="special",
                special_group="pregnant",
                how="transfer_120",
                notify=["receiving_hospital", "community_lead", "operator_120"],
                instructions_zh="孕产妇可直接与{hospital}联系，定点就医；同时联系所在社区或隔离场所"
                "负责人，拨打120，等待派车闭环转运，不要自行前往。",
                instructions_en="Contact {hospital} directly: it is the designated hospital for "
                "pregnant and postpartum women. Also tell your community or quarantine-site lead "
                "and call 120, then wait for the closed-loop transfer; do not go on your own.",
            )
        )
    rules.append(
        _rule(
            "pregnant_other",
            ["S11", "S9", "S7", "S8"],
            needs=["pregnant"],
            where="special",
            special_group="pregnant",
            how="own_way_masked",
            notify=["receiving_hospital"],
            instructions_zh="孕产妇可直接与{hospital}联系，定点就医，按医院要求就诊。"
            + ZH_GO_MASKED,
            instructions_en="Contact {hospital} directly (the designated hospital for pregnant "
            "and postpartum women) and follow its instructions. " + EN_GO_MASKED,
        )
    )
    for suffix, condition in RED_LIKE:
        rules.append(
            _rule(
                f"special_needs_{suffix}",
                ["S9", "S2", "S3"] + (["S4"] if suffix != "red" else []),
                needs=SPECIAL,
                **condition,
                where="designated",
                how="transfer_120",
                notify=["receiving_hospital", "community_lead", "operator_120"],
                instructions_zh="请提前联系{hospital}（所在地定点医院），按医院要求就诊；危急重症确需"
                "跨区转院的，提前与跨区定点医院联系。再联系所在社区或隔离场所负责人，拨打120，"
                "等待派车闭环转运。",
                instructions_en="Contact {hospital} (your designated hospital) in advance and "
                "follow its instructions; for a critical case that must cross districts, contact "
                "that district's designated hospital first. Then tell your community or "
                "quarantine-site lead and call 120, and wait for the closed-loop transfer.",
            )
        )
    rules.append(
        _rule(
            "special_needs_other",
            ["S9", "S2", "S7", "S8"],
            needs=SPECIAL,
            where="designated",
            how="own_way_masked",
            notify=["receiving_hospital"],
            instructions_zh="请提前联系{hospital}（所在地定点医院），按医院要求就诊；危急重症确需"
            "跨区转院的，提前与跨区定点医院联系。" + ZH_GO_MASKED,
            instructions_en="Contact {hospital} (your designated hospital) in advance and follow "
            "its instructions; for a critical case that must cross districts, contact that "
            "district's designated hospital first. " + EN_GO_MASKED,
        )
    )
    for suffix, condition in RED_LIKE:
        rules.append(
            _rule(
                f"{suffix}_any_need",
                ["S3", "S1"] + (["S4"] if suffix != "red" else []),
                **condition,
                where="designated",
                how="transfer_120",
                notify=["community_lead", "operator_120"],
                instructions_zh=ZH_RED,
                instructions_en=EN_RED,
            )
        )
    wait_zh = (
        "原则上请待健康码恢复成绿码后，再前往辖区医疗机构就诊。如病情需要，确需就医时请再次求助。"
    )
    wait_en = (
        "Please wait until your code is green again, then see a doctor in your "
        "district. If care becomes truly necessary, ask again."
    )
    go_zh = (
        "确需就医的，请提前查询{hospital}（定点医院）最新的就诊要求，按要求就诊。" + ZH_GO_MASKED
    )
    go_en = (
        "If you truly need care now, first check the latest rules of {hospital} (the "
        "designated hospital) and follow them. " + EN_GO_MASKED
    )
    rules += [
        _rule(
            "yellow_routine_wait",
            ["S5"],
            colours=["yellow"],
            urgencies=["routine"],
            where="wait_green",
            how="none",
            instructions_zh=wait_zh,
            instructions_en=wait_en,
        ),
        _rule(
            "home_monitoring_routine_wait",
            ["S5"],
            quarantines=["home_monitoring"],
            urgencies=["routine"],
            where="wait_green",
            how="none",
            instructions_zh=wait_zh,
            instructions_en=wait_en,
        ),
        _rule(
            "yellow_necessary",
            ["S6", "S7", "S8", "S1"],
            colours=["yellow"],
            where="designated",
            how="own_way_masked",
            notify=["receiving_hospital"],
            instructions_zh=go_zh,
            instructions_en=go_en,
        ),
        _rule(
            "home_monitoring_necessary",
            ["S6", "S7", "S8", "S1"],
            quarantines=["home_monitoring"],
            where="designated",
            how="own_way_masked",
            notify=["receiving_hospital"],
            instructions_zh=go_zh,
            instructions_en=go_en,
        ),
        _rule(
            "green_fever",
            [NATIONAL_FEVER],
            needs=["fever"],
            where="fever_clinic",
            how="own_way_masked",
            instructions_zh="发热请到{hospital}（发热门诊）就诊。" + ZH_GO_MASKED,
            instructions_en="With a fever, go to {hospital} (fever clinic). " + EN_GO_MASKED,
        ),
        _rule(
            "green_default",
            ["S5"],
            where="nearest",
            how="own_way_masked",
            instructions_zh="健康码为绿码，可前往辖区医疗机构就诊，就近可选{hospital}。"
            + ZH_GO_MASKED,
            instructions_en="Your code is green: see a doctor in your district; the nearest "
            "suitable hospital is {hospital}. " + EN_GO_MASKED,
        ),
    ]
    return rules


GUIDE_DATE = dt.datetime(2022, 11, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
SEED_NOTES = "株洲市卫健委《静默期间红黄码人员就医指南》(2022-11-09)，见株洲日报。"


def install(apps: Any, schema_editor: Any) -> None:
    """Data migration: create version 1 and put it in force (only when no table exists)."""
    rule_table = apps.get_model("health", "RuleTable")
    rule_model = apps.get_model("health", "Rule")
    if rule_table.objects.exists():
        return
    table = rule_table.objects.create(
        version=1, status="active", in_force_from=GUIDE_DATE, notes=SEED_NOTES
    )
    for order, data in enumerate(seed_rules(), start=1):
        rule_model.objects.create(table=table, order=order, **data)
