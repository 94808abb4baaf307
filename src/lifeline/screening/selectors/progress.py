"""Round progress: people of a round's area with a negative test between its start and its
target date, read from the per-person compliance rows (one indexed pass per round), never
the raw results: a negative test inside the round's dates is a bit of the day mask.

People are counted only where the actor holds ``screening.view``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BigIntegerField, Case, Count, F, QuerySet, Value, When

from lifeline.accounts.scoping import scoped
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.registry.models import Area, Person
from lifeline.screening.models import Compliance, Round
from lifeline.screening.selectors.lists import VIEW, within
from lifeline.screening.window import MASK_DAYS

_FULL = (1 << MASK_DAYS) - 1


def _tested_between(start: dt.date, end: dt.date, today: dt.date) -> Case:
    """1+ when the row holds a negative test dated in [start, end], else 0.

    Rows last tested inside the dates qualify outright; rows last tested later qualify
    when a bit of their day mask falls inside the dates (one CASE arm per later day)."""
    span = min((end - start).days + 1, MASK_DAYS)
    whens = [When(last_tested_on__range=(start, end), then=Value(1))]
    for k in range(1, min(MASK_DAYS, (today - end).days + 1)):
        bits = (((1 << span) - 1) << k) & _FULL
        if not bits:
            break
        whens.append(
            When(last_tested_on=end + dt.timedelta(days=k), then=F("day_mask").bitand(bits))
        )
    return Case(*whens, default=Value(0), output_field=BigIntegerField())


@dataclass
class Progress:
    area_id: int
    name: str
    people: int = 0
    tested: int = 0

    @property
    def untested(self) -> int:
        return max(self.people - self.tested, 0)

    @property
    def percent(self) -> float:
        return round(100.0 * self.tested / self.people, 1) if self.people else 0.0


@dataclass
class RoundProgress:
    round: Round
    total: Progress
    today: dt.date
    children: list[Progress] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        """Past its target date with people still untested."""
        return self.today > self.round.target_date and self.total.untested > 0


def _per_grid(qs: QuerySet[Any]) -> dict[int, int]:
    return dict(qs.values_list("grid_id").annotate(n=Count("pk")).values_list("grid_id", "n"))


def round_progress(*, actor: Actor, rnd: Round, by_child: bool = False) -> RoundProgress:
    """People of the round's area (where the actor holds ``screening.view``) with a
    negative test between the round's start and its target date (or today, if that comes
    first)."""
    today = clock.today()
    area = rnd.area
    end = min(rnd.target_date, today)
    people = _per_grid(scoped(Person.objects.filter(area_path__startswith=area.path), actor, VIEW))
    tested: dict[int, int] = {}
    if rnd.starts_on <= end:
        tested = _per_grid(
            scoped(within(Compliance.objects.all(), area), actor, VIEW)
            .annotate(hit=_tested_between(rnd.starts_on, end, today))
            .filter(hit__gt=0)
        )
    total = Progress(area.pk, area.name)
    total.people = sum(people.values())
    total.tested = sum(tested.values())
    result = RoundProgress(rnd, total, today)
    if by_child:
        children = list(scoped(Area.objects.filter(parent=area), actor, VIEW).order_by("path"))
        paths = dict(
            Area.objects.filter(pk__in=set(people) | set(tested)).values_list("pk", "path")
        )
        for child in children:
            row = Progress(child.pk, child.name)
            for grid_id, path in paths.items():
                if path.startswith(child.path):
                    row.people += people.get(grid_id, 0)
                    row.tested += tested.get(grid_id, 0)
            result.children.append(row)
    return result
