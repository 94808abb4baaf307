"""Grants, revocations, new users and passwords set in the Django admin are audited:
the fields named, never their values."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from lifeline.accounts.models import Membership, Role, User
from lifeline.core.models import AuditRecord
from lifeline.testing.factories import SmallCity, make_user

NEW_PASSWORD = "Brand-new-Pass-4567"


def _user_form(user: User, memberships: list[dict[str, str]], initial: int = 0) -> dict:
    """The user change page's POST, unchanged, with ``memberships`` as inline rows."""
    joined = timezone.localtime(user.date_joined)
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "display_name": user.display_name,
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        # the page sends the value it showed beside the field (a field with a default)
        "initial-date_joined_0": joined.strftime("%Y-%m-%d"),
        "initial-date_joined_1": joined.strftime("%H:%M:%S"),
        "memberships-TOTAL_FORMS": str(len(memberships)),
        "memberships-INITIAL_FORMS": str(initial),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    if user.is_active:
        data["is_active"] = "on"
    for i, row in enumerate(memberships):
        data.update({f"memberships-{i}-{k}": v for k, v in {"user": str(user.pk), **row}.items()})
    return data


def test_a_membership_granted_on_the_user_page_is_audited(
    admin_client: Client, city: SmallCity
) -> None:
    # given a user without any membership
    user = make_user("new_worker")
    # when an administrator adds a grid worker row for grid A on the user's page
    row = {"id": "", "role": Role.GRID_WORKER, "area": str(city.grid_a.pk), "unit": ""}
    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/change/", _user_form(user, [{**row, "active": "on"}])
    )
    # then the membership exists and its grant is audited as a grant, by the administrator
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = Membership.objects.get(user=user)
    (grant,) = AuditRecord.objects.filter(action="membership.grant")
    assert (grant.object_type, grant.object_id) == ("accounts.membership", str(membership.pk))
    assert set(grant.fields) >= {"role", "area"}
    assert grant.area_path == city.grid_a.path
    assert grant.actor_id == User.objects.get(username="admin").pk
    assert grant.purpose == "admin"


def test_a_membership_switched_off_in_the_admin_is_audited_as_a_revocation(
    admin_client: Client, city: SmallCity
) -> None:
    # given a grid worker of grid A
    user = make_user("grid_a", role=Role.GRID_WORKER, area=city.grid_a)
    membership = Membership.objects.get(user=user)
    # when an administrator unticks the row's "active"
    row = {
        "id": str(membership.pk),
        "role": Role.GRID_WORKER,
        "area": str(city.grid_a.pk),
        "unit": "",
    }
    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/change/", _user_form(user, [row], initial=1)
    )
    # then it is inactive and the revocation is audited, naming only "active"
    assert response.status_code == 302, response.content.decode()[:2000]
    membership.refresh_from_db()
    assert not membership.active
    (revoke,) = AuditRecord.objects.filter(action="membership.revoke")
    assert revoke.object_id == str(membership.pk) and revoke.fields == ["active"]
    assert not AuditRecord.objects.filter(action="user.change").exists()


def test_a_password_set_in_the_admin_is_audited_never_its_value(
    admin_client: Client, db: None
) -> None:
    user = make_user("forgetful")
    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    (record,) = AuditRecord.objects.filter(action="user.password_change")
    assert (record.object_type, record.object_id) == ("accounts.user", str(user.pk))
    assert record.fields == ["password"]
    assert not AuditRecord.objects.filter(purpose__contains=NEW_PASSWORD).exists()


def test_a_refused_password_form_writes_no_audit_record(admin_client: Client, db: None) -> None:
    user = make_user("forgetful")
    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": "something-else", "usable_password": "true"},
    )
    assert response.status_code == 200
    assert not AuditRecord.objects.filter(action="user.password_change").exists()


def test_a_user_added_in_the_admin_is_audited_with_field_names_only(
    admin_client: Client, db: None
) -> None:
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newcomer",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "usable_password": "true",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="newcomer")
    (record,) = AuditRecord.objects.filter(action="user.create")
    assert record.object_id == str(user.pk)
    assert set(record.fields) == {"username", "password"}
    for other in AuditRecord.objects.all():
        assert NEW_PASSWORD not in " ".join(map(str, (other.purpose, other.fields)))
