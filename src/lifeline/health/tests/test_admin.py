"""Editing the rule table in the admin makes a new version; a bad table is refused.

The administrator here holds a membership granting ``health.edit_rules`` (the demo's
administrator is a member of the whole city): being a superuser alone publishes nothing.
"""

from __future__ import annotations

import pytest
from django.test import Client

from lifeline.accounts.models import Membership, Role, User
from lifeline.health.models import Rule, RuleTable
from lifeline.health.services import access_decide


@pytest.fixture
def admin_user(admin_user: User, city) -> User:
    """pytest-django's superuser, made a member of the city as administrator."""
    Membership.objects.create(user=admin_user, role=Role.ADMIN, area=city.city)
    return admin_user


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


def test_decisions_made_before_an_admin_edit_keep_their_version(admin_client, city, command_staff):
    # given a decision made under version 1
    person = city.people_a[0]
    before = access_decide(actor=command_staff, person=person, urgency="routine")
    # when the table is edited in the admin
    v1 = RuleTable.objects.get(version=1)
    data = _post_data(v1, change=("green_default", "instructions_en", "See any doctor."))
    assert admin_client.post(f"/admin/health/ruletable/{v1.pk}/change/", data).status_code == 302
    after = access_decide(actor=command_staff, person=person, urgency="routine")
    # then the earlier decision still names version 1 and its rule; the new one version 2
    before.refresh_from_db()
    assert (before.rule_version, before.rule.table.version) == (1, 1)
    assert before.instructions_en != "See any doctor."
    assert (after.rule_version, after.instructions_en) == (2, "See any doctor.")


def test_a_rule_that_can_never_match_is_refused_in_the_admin(admin_client):
    # given version 1, with "yellow_necessary" narrowed to routine needs, which the earlier
    # "yellow_routine_wait" already answers
    v1 = RuleTable.objects.get(version=1)
    data = _post_data(v1, change=("yellow_necessary", "urgencies", ["routine"]))
    # when saved
    response = admin_client.post(
        f"/admin/health/ruletable/{v1.pk}/change/", data, HTTP_ACCEPT_LANGUAGE="en"
    )
    # then the page names the rule that can never match and the one hiding it; nothing saved
    page = response.content.decode()
    assert response.status_code == 200
    assert "yellow_necessary" in page and "can never match" in page
    assert "yellow_routine_wait" in page
    assert RuleTable.objects.count() == 1


def test_a_superuser_without_a_membership_that_grants_it_cannot_publish(city):
    # given a superuser whose only membership is a grid worker's (no health.edit_rules)
    v1 = RuleTable.objects.get(version=1)
    bare = User.objects.create_superuser("bare_admin", password="pass-word-123")
    Membership.objects.create(user=bare, role=Role.GRID_WORKER, area=city.grid_a)
    client = Client()
    client.force_login(bare)
    data = _post_data(v1, change=("green_default", "instructions_en", "See any doctor."))
    # when they save an edited table in the admin
    response = client.post(f"/admin/health/ruletable/{v1.pk}/change/", data)
    # then it is refused and version 1 stays the only one, in force
    assert response.status_code == 403
    assert list(RuleTable.objects.values_list("version", "status")) == [(1, "active")]
