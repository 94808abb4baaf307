"""The import contract (lifeline.core.layers): no import breaks it, and the docs show it."""

from __future__ import annotations

from pathlib import Path

import pytest

from lifeline.core import layers

DOCS = Path(__file__).resolve().parent.parent / "docs" / "architecture.md"


def test_every_import_keeps_the_contract() -> None:
    found = layers.violations()
    assert found == [], "\n".join(str(v) for v in found)


def test_the_docs_show_the_current_layers() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert layers.START in text and layers.END in text
    assert layers.with_table(text) == text, "run: lifeline layers --update docs/architecture.md"


def _plant(root: Path, files: dict[str, str]) -> None:
    for name, body in files.items():
        path = root / "lifeline" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")


@pytest.fixture
def planted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    _plant(
        tmp_path,
        {
            "__init__.py": "",
            "core/__init__.py": "",
            "core/clock.py": "",
            "registry/__init__.py": "",
            "registry/models.py": "",
            "workorders/__init__.py": "",
            "workorders/models.py": "",
            "workorders/services/__init__.py": "",
            "workorders/services/common.py": "",
            "passes/__init__.py": "",
            "passes/models.py": "",
            "health/__init__.py": "",
            "health/models.py": "",
        },
    )
    monkeypatch.setattr(layers, "PACKAGE_DIR", tmp_path / "lifeline")
    return tmp_path


def test_an_import_from_above_is_caught_even_inside_a_function(planted: Path) -> None:
    _plant(planted, {"core/bad.py": "def f():\n    from lifeline.registry.models import X\n"})
    (found,) = layers.violations()
    assert (found.importer, found.imported) == ("lifeline.core.bad", "lifeline.registry.models")
    assert "above" in found.reason


def test_an_import_of_another_apps_insides_is_caught(planted: Path) -> None:
    _plant(planted, {"health/x.py": "from lifeline.workorders.services import common\n"})
    (found,) = layers.violations()
    assert found.imported == "lifeline.workorders.services.common"
    assert "not public" in found.reason


def test_siblings_in_one_layer_stay_independent(planted: Path) -> None:
    _plant(planted, {"passes/x.py": "import lifeline.workorders.models\n"})
    (found,) = layers.violations()
    assert "independent" in found.reason


def test_public_imports_from_below_pass(planted: Path) -> None:
    _plant(
        planted,
        {
            "health/x.py": (
                "from lifeline.workorders.services import something\n"
                "from lifeline.workorders import models\n"
                "from lifeline.core import clock\n"
                "from . import models as own\n"
            )
        },
    )
    assert layers.violations() == []


def test_the_command_checks_prints_and_redraws(tmp_path: Path) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = StringIO()
    call_command("layers", stdout=out)
    assert "keep the contract" in out.getvalue()
    out = StringIO()
    call_command("layers", "--markdown", stdout=out)
    assert out.getvalue() == layers.markdown()
    doc = tmp_path / "doc.md"
    doc.write_text(f"intro\n{layers.START}\nold\n{layers.END}\nend\n", encoding="utf-8")
    call_command("layers", "--update", str(doc))
    assert (
        doc.read_text(encoding="utf-8")
        == f"intro\n{layers.START}\n{layers.markdown()}{layers.END}\nend\n"
    )
    doc.write_text("no markers", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("layers", "--update", str(doc))
