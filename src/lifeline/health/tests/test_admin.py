"""Editing the rule table in the admin makes a new version; a bad table is refused."""

from __future__ import annotations

from lifeline.health.models import Rule, RuleTable


def _post_data(table: RuleTable, *, change=None, drop: str = "") -> dict:
    rules = [r for r in table.rules.order_by("order") if r.name != drop]
    data = {
        "notes": "edited in admin",
        "rules-TOTAL_FORMS": str(len(rules)),
        "rules-INITIAL_FORMS": str(len(rules)),
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
    }
    for i, rule in enumerate(rules):
        prefix = f"rules-{i}-"
        data.update(
            {
                prefix + "id": str(rule.pk),
                prefix + "table": str(table.pk),
                prefix + "order": str(rule.order),
                prefix + "name": rule.name,
                prefix + "where": rule.where,
                prefix + "special_group": rule.special_group,
                prefix + "how": rule.how,
                prefix + "notify": ", ".join(rule.notify),
                prefix + "instructions_zh": rule.instructions_zh,
                prefix + "instructions_en": rule.instructions_en,
                prefix + "source_text": rule.source_text,
            }
        )
        for dimension in ("colours", "quarantines", "risks", "needs", "urgencies"):
            data[prefix + dimension] = list(getattr(rule, dimension))
        if change and rule.name == change[0]:
            data[prefix + change[1]] = change[2]
    return data


def test_saving_an_edited_table_publishes_a_new_version(admin_client):
    # given version 1 in force
    v1 = RuleTable.objects.get(version=1)
    # when an administrator changes one instruction and saves
    data = _post_data(v1, change=("green_default", "instructions_en", "See any doctor."))
    response = admin_client.post(
        f"/admin/health/ruletable/{v1.pk}/change/", data, HTTP_ACCEPT_LANGUAGE="en"
    )
    # then version 2 is in force with the change, and version 1 is untouched but retired
    assert response.status_code == 302, response.content.decode()[:3000]
    v2 = RuleTable.objects.get(version=2)
    assert v2.status == "active" and v2.based_on == v1
    assert v2.rules.get(name="green_default").instructions_en == "See any doctor."
    v1.refresh_from_db()
    assert v1.status == "retired"
    assert v1.rules.get(name="green_default").instructions_en != "See any doctor."
    assert Rule.objects.filter(table=v1).count() == Rule.objects.filter(table=v2).count()


def test_an_invalid_table_is_refused_with_a_message(admin_client):
    # given version 1, with its default rule deleted in the form
    v1 = RuleTable.objects.get(version=1)
    data = _post_data(v1, drop="green_default")
    # when saved
    response = admin_client.post(
        f"/admin/health/ruletable/{v1.pk}/change/", data, HTTP_ACCEPT_LANGUAGE="en"
    )
    # then the page comes back with the reason and nothing changes
    assert response.status_code == 200
    assert "default" in response.content.decode()
    assert RuleTable.objects.count() == 1
    assert RuleTable.objects.get().status == "active"


def test_rule_table_pages_render(admin_client):
    v1 = RuleTable.objects.get(version=1)
    assert admin_client.get(f"/admin/health/ruletable/{v1.pk}/change/").status_code == 200
    assert admin_client.get("/admin/health/ruletable/").status_code == 200
    assert admin_client.get("/admin/health/designatedhospital/").status_code == 200
