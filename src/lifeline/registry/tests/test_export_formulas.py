"""A resident whose name a spreadsheet would run as a formula is exported as text, in CSV
and in XLSX, and a CSV export still re-imports with the name as it was."""

from __future__ import annotations

import csv
import io

import pytest

from lifeline.registry.exporting import households_export
from lifeline.registry.importing import import_job_create, import_job_process
from lifeline.registry.models import Building, Household, ImportJob, Person, Vulnerability
from lifeline.testing.factories import make_household, make_person

NAMES = ['=HYPERLINK("http://x","y")', "+86 张三", "-张三", "@张三", "\t=张三", "\r=张三"]


@pytest.fixture
def formula_people(city):
    return [
        make_person(household=make_household(grid=city.grid_a, unit_no=f"F{i}"), name=name)
        for i, name in enumerate(NAMES)
    ]


def test_formula_like_names_are_quoted_in_the_csv_export(city, command_staff, formula_people):
    # when the city is exported as CSV
    export = households_export(actor=command_staff, fmt="csv", language="en")

    # then every such name is one cell starting with a quote, and nothing else changed
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    names = {row["name"] for row in rows}
    for name in NAMES:
        assert "'" + name in names
        assert name not in names
    assert city.people_a[1].name in names  # an ordinary name is untouched


def test_formula_like_names_are_text_cells_in_the_xlsx_export(city, command_staff, formula_people):
    from openpyxl import load_workbook

    # when the city is exported as XLSX
    export = households_export(actor=command_staff, fmt="xlsx", language="en")

    # then each such name is a string cell holding the name itself, and no cell is a formula
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    column = header.index("name")
    by_name = {row[column].value: row[column] for row in sheet.iter_rows(min_row=2)}
    for name in NAMES:
        # XML reads a carriage return back as a line feed; the cell is text either way
        assert by_name[name.replace("\r", "\n")].data_type == "s"
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_a_csv_export_with_formula_like_names_reimports_them_unchanged(
    city, command_staff, formula_people
):
    # given the city exported in full as CSV, and emptied of households
    export = households_export(
        actor=command_staff, fmt="csv", reveal=True, purpose="迁移", language="en"
    )
    Vulnerability.objects.all().delete()
    Person.objects.all().delete()
    Household.objects.all().delete()
    Building.objects.all().delete()

    # when the file is imported again
    job = import_job_create(
        actor=command_staff, file_name="x.csv", content=export.content, language="en"
    )
    job = import_job_process(job_id=job.pk)

    # then the names are back without the quote (the import trims the tab and CR)
    assert job.status == ImportJob.Status.DONE, job.errors
    names = set(Person.objects.values_list("name", flat=True))
    assert {name.strip() for name in NAMES} <= names
