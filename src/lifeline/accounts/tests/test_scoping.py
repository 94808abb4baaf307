from lifeline.accounts.models import Membership, Role
from lifeline.accounts.scoping import scope_for, scoped
from lifeline.registry.models import Area, Household, Person, Unit, Vulnerability
from lifeline.testing.factories import make_user


def test_no_membership_sees_nothing(city, outsider):
    for model in (Area, Household, Person, Vulnerability, Unit):
        assert not scoped(model.objects.all(), outsider).exists()


def test_anonymous_sees_nothing(city):
    from django.contrib.auth.models import AnonymousUser

    assert not scoped(Person.objects.all(), AnonymousUser()).exists()
    assert not scoped(Person.objects.all(), None).exists()


def test_grid_worker_sees_only_own_grid(city, grid_worker_a):
    visible = set(scoped(Person.objects.all(), grid_worker_a).values_list("id", flat=True))
    assert visible == {p.id for p in city.people_a}


def test_community_staff_see_whole_subtree(city, community_staff):
    assert scoped(Person.objects.all(), community_staff).count() == 6


def test_inactive_membership_gives_nothing(city, grid_worker_a):
    Membership.objects.filter(user=grid_worker_a).update(active=False)
    grid_worker_a.refresh_from_db()
    fresh = type(grid_worker_a).objects.get(pk=grid_worker_a.pk)
    assert not scoped(Person.objects.all(), fresh).exists()


def test_overlapping_memberships_collapse_to_ancestor(city):
    user = make_user("two", role=Role.STREET_STAFF, area=city.street)
    Membership.objects.create(user=user, role=Role.GRID_WORKER, area=city.grid_a)
    assert scope_for(user).area_paths == (city.street.path,)


def test_similar_code_prefix_is_not_a_subtree(city):
    # an area whose code starts with grid A's code must not fall inside grid A's scope
    from lifeline.testing.factories import make_area

    lookalike = make_area(
        parent=city.community, level="grid", code=city.grid_a.code + "9", name="lookalike"
    )
    user = make_user("a-only", role=Role.GRID_WORKER, area=city.grid_a)
    assert not scoped(Area.objects.filter(pk=lookalike.pk), user).exists()


def test_unit_membership_sees_units_but_no_people(city):
    user = make_user("unit", role=Role.UNIT_STAFF, unit=city.units["committee"])
    assert scoped(Unit.objects.all(), user).exists()
    assert not scoped(Person.objects.all(), user).exists()
