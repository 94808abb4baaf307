"""One demo login per role, each a member of a sensible place.

The passwords are public on purpose (``demo-<role>``): this is a demo city with synthetic
people, and the logins are printed for whoever runs it. Never use them on real data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from lifeline.accounts.models import Membership, Role, User
from lifeline.demo.generator import names
from lifeline.demo.generator.places import CityPlan, PlannedArea
from lifeline.registry.models import Area, Unit


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    display_name: str
    place: str


def demo_password(role: str) -> str:
    return f"demo-{role}"


def demo_places(plan: CityPlan) -> tuple[PlannedArea, PlannedArea]:
    """The community and grid the local personas work in: the first of 天元区."""
    tianyuan = next(d for d in plan.city.children if d.code == "430211")
    community = tianyuan.children[0].children[0]
    return community, community.children[0]


def _membership_place(
    role: str, plan: CityPlan, units: dict[str, Unit]
) -> tuple[PlannedArea | None, Unit | None]:
    community, grid = demo_places(plan)
    street = community.parent
    district = street.parent if street else None
    assert street is not None and district is not None
    places: dict[str, tuple[PlannedArea | None, Unit | None]] = {
        Role.GRID_WORKER: (grid, None),
        Role.COMMUNITY_STAFF: (community, units[f"C{community.code}"]),
        Role.STREET_STAFF: (street, units[f"S{street.code}"]),
        Role.DISTRICT_STAFF: (district, units[f"D{district.code}"]),
        Role.COMMAND_STAFF: (plan.city, units["CMD"]),
        Role.HOTLINE_OPERATOR: (plan.city, None),
        Role.UNIT_STAFF: (None, units["GAS"]),
        Role.FIELD_TEAM: (None, units["GAS-T01"]),
        Role.CHECKPOINT_STAFF: (district, None),
        Role.SAMPLER: (community, None),
        Role.LAB: (plan.city, units["H-" + names.MATERNITY_HOSPITAL]),
        Role.WAREHOUSE_OFFICER: (plan.city, units["LOGISTICS"]),
        Role.VOLUNTEER_COORDINATOR: (community, units["VOLUNTEERS"]),
        Role.BUILDING_HEAD: (grid, None),
        Role.UTILITY_STAFF: (plan.city, units["POWER"]),
        Role.ENTERPRISE_LIAISON: (district, None),
        Role.COUNSELLOR: (None, units["COUNSELLING"]),
        Role.COUNSELLING_SUPERVISOR: (plan.city, units["COUNSELLING"]),
        Role.ADMIN: (plan.city, None),
    }
    return places[role]


def write_users(rng: random.Random, plan: CityPlan, units: dict[str, Unit]) -> list[DemoLogin]:
    logins: list[DemoLogin] = []
    for role in Role:
        area, unit = _membership_place(role.value, plan, units)
        sex = "M" if rng.random() < 0.5 else "F"
        display = names.full_name(rng, sex, rng.randint(1970, 1998))
        password = demo_password(role.value)
        make = User.objects.create_superuser if role == Role.ADMIN else User.objects.create_user
        user = make(
            username=role.value,
            password=password,
            display_name=display,
            email=f"{role.value}@demo.lifeline.invalid",
        )
        Membership.objects.create(
            user=user, role=role.value, area_id=area.id if area else None, unit=unit
        )
        place = " / ".join(p for p in (_area_label(area), unit.name if unit else "") if p)
        logins.append(DemoLogin(role.value, password, role.value, display, place))
    return logins


def _area_label(area: PlannedArea | None) -> str:
    labels: list[str] = []
    while area is not None:
        labels.append(area.name)
        area = area.parent
    return "".join(reversed(labels))


def read_logins() -> list[DemoLogin]:
    """The logins of an existing demo city (for printing again on later runs)."""
    logins = []
    for m in (
        Membership.objects.select_related("user", "area", "unit")
        .filter(user__email__endswith="@demo.lifeline.invalid")
        .order_by("user_id")
    ):
        place = " / ".join(
            p
            for p in (
                _stored_area_label(m.area.path) if m.area else "",
                m.unit.name if m.unit else "",
            )
            if p
        )
        logins.append(
            DemoLogin(m.user.username, demo_password(m.role), m.role, m.user.display_name, place)
        )
    return logins


def _stored_area_label(path: str) -> str:
    codes = [c for c in path.split("/") if c]
    found = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
    return "".join(found.get(c, "") for c in codes)
