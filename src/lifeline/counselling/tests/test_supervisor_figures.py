"""The supervisor's figures are per line: with two lines in the city, the supervisor of
line A sees line A's on-duty count, contacts, high-risk contacts and roster, and none of
line B's."""

from __future__ import annotations

import pytest

from lifeline.accounts.models import Membership, Role
from lifeline.api.tests.helpers import client_for
from lifeline.counselling import selectors
from lifeline.counselling.services import contact_log
from lifeline.counselling.tests.helpers import Line, make_counselling, on_duty_now
from lifeline.testing.factories import SmallCity

pytestmark = pytest.mark.django_db


def _contact(line: Line, risk: str = "none") -> None:
    contact_log(
        actor=line.counsellor_user,
        line=line.line,
        topic="work",
        outcome="supported",
        minutes=10,
        risk=risk,
    )


def _two_lines(city: SmallCity) -> tuple[Line, Line]:
    line_a = make_counselling(city, tag="A", others=1)
    line_b = make_counselling(city, tag="B", others=2)
    on_duty_now(line_a, line_a.counsellor)
    for counsellor in [line_b.counsellor, *line_b.others]:
        on_duty_now(line_b, counsellor)
    _contact(line_a)
    for _n in range(4):
        _contact(line_b)
    _contact(line_b, risk="high")
    return line_a, line_b


def test_the_supervisor_counts_only_their_own_line_on_duty(city: SmallCity):
    # given two lines, one counsellor on duty on A and three on B
    line_a, _line_b = _two_lines(city)
    # when A's supervisor asks who is on duty
    mine = selectors.on_duty_for(actor=line_a.supervisor)
    # then only A's counsellor counts; the public list still shows all four
    assert [row.name for row in mine] == [line_a.counsellor.display_name]
    assert len(selectors.on_duty_now()) == 4


def test_the_supervisor_page_shows_only_their_line_figures(city: SmallCity):
    line_a, line_b = _two_lines(city)
    response = client_for(line_a.supervisor).get(
        "/counselling/supervisor/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert response.context["on_duty"] == 1
    assert response.context["total"] == 1
    assert list(response.context["high_risk"]) == []
    assert {w.line_id for w in response.context["roster"]} == {line_a.line.pk}
    page = response.content.decode()
    assert "1 on duty now" in page
    assert line_b.counsellor.display_name not in page
    # and B's supervisor sees B's
    other = client_for(line_b.supervisor).get("/counselling/supervisor/")
    assert other.context["on_duty"] == 3 and other.context["total"] == 5
    assert len(other.context["high_risk"]) == 1


def test_a_supervisor_who_also_answers_another_line_sees_only_the_line_they_supervise(
    city: SmallCity,
):
    line_a, line_b = _two_lines(city)
    Membership.objects.create(user=line_a.supervisor, role=Role.COUNSELLOR, unit=line_b.line)
    response = client_for(line_a.supervisor).get("/counselling/supervisor/")
    assert response.context["on_duty"] == 1
    assert {w.line_id for w in response.context["roster"]} == {line_a.line.pk}
