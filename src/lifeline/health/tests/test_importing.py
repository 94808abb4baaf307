"""Status lists: every row checked, all or nothing."""

from __future__ import annotations

import io

from openpyxl import Workbook

from lifeline.core.personal import decrypt_value
from lifeline.health.importing import status_file_import
from lifeline.health.models import HealthStatus


def _id(person) -> str:
    return decrypt_value(person.id_number_enc)


def _csv(rows: list[list[str]]) -> bytes:
    header = "身份证号,健康码,管控状态,开始日期,结束日期,原因\n"
    return (header + "\n".join(",".join(r) for r in rows) + "\n").encode("utf-8")


def test_a_valid_list_is_imported_whole(city, command_staff):
    # given a CSV with two people of the city
    a, b = city.people_a[0], city.people_b[0]
    content = _csv(
        [
            [_id(a), "红码", "集中隔离", "2022-11-09", "", "阳性"],
            [_id(b), "黄码", "居家健康监测", "", "", "时空伴随"],
        ]
    )
    # when it is imported
    report = status_file_import(actor=command_staff, content=content)
    # then both statuses are current, with source "import"
    assert report.ok and report.created == 2
    assert HealthStatus.objects.get(person=a, current=True).quarantine == "centralised"
    assert HealthStatus.objects.get(person=b, current=True).source == "import"


def test_one_bad_row_rejects_the_whole_list(city, command_staff):
    # given a list whose third row has an unknown colour and fourth an unknown person
    a, b = city.people_a[0], city.people_b[0]
    content = _csv(
        [
            [_id(a), "红码", "", "", "", ""],
            [_id(b), "紫码", "", "", "", ""],
            ["110101199003074219", "红码", "", "", "", ""],
        ]
    )
    # when it is imported
    report = status_file_import(actor=command_staff, content=content)
    # then nothing is written and each bad row is named with its field
    assert not HealthStatus.objects.exists()
    assert [(e.row, e.field) for e in report.errors] == [(3, "colour"), (4, "id_number")]


def test_duplicate_person_and_stale_rows_are_errors(city, command_staff):
    a = city.people_a[0]
    status_file_import(actor=command_staff, content=_csv([[_id(a), "红", "", "", "", ""]]))
    content = _csv([[_id(a), "黄", "", "2022-01-01", "", ""], [_id(a), "绿", "", "", "", ""]])
    report = status_file_import(actor=command_staff, content=content)
    assert {(e.row, e.field) for e in report.errors} == {(2, "valid_from"), (3, "id_number")}
    assert HealthStatus.objects.filter(person=a).count() == 1


def test_people_outside_the_actors_area_are_not_found(city, community_staff):
    # given staff of the community, and a person of another district's list
    from lifeline.testing.factories import make_area, make_household, make_person

    other = make_area(parent=city.city, level="district", code="430203", name="芦淞区")
    street = make_area(parent=other, level="street", code="430203001", name="街道")
    comm = make_area(parent=street, level="community", code="430203001001", name="社区")
    grid = make_area(parent=comm, level="grid", code="430203001001A", name="网格")
    stranger = make_person(household=make_household(grid=grid))
    report = status_file_import(
        actor=community_staff, content=_csv([[_id(stranger), "红", "", "", "", ""]])
    )
    assert [(e.row, e.field) for e in report.errors] == [(2, "id_number")]
    assert not HealthStatus.objects.exists()


def test_xlsx_lists_are_read_too(city, command_staff):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["人员编号", "码色", "隔离状态"])
    sheet.append([city.people_a[1].pk, "red", "home_quarantine"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = status_file_import(actor=command_staff, content=buffer.getvalue())
    assert report.ok and report.created == 1


def test_an_unreadable_file_is_one_clear_error(city, command_staff):
    report = status_file_import(actor=command_staff, content=b"name,phone\nx,y\n")
    assert report.errors[0].row == 0 and "健康码" in report.errors[0].message
    assert status_file_import(actor=command_staff, content=b"").errors
