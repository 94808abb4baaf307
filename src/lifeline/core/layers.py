"""The import contract: which part of Lifeline may import which, declared once.

Layers are listed from the top. A module may import:

- any module of its own package (``lifeline.workorders.pages`` may use
  ``lifeline.workorders.services.common``);
- a *public* module of a package in a lower layer: the names that package lists in
  ``PUBLIC`` (an app's models, selectors and the root of its ``services`` package, for
  example), or anything of a kit (``"*"``).

Packages that share a layer are independent: neither imports the other. Every import
counts, at module level or inside a function, under ``TYPE_CHECKING`` or not; test modules
(``tests/`` folders) and migrations are outside the contract. There is no list of
exceptions: a new import that breaks the contract fails ``tests/test_layers.py``, and
``lifeline layers --update docs/architecture.md`` redraws the table in the docs.

This module imports nothing of Lifeline, so the bottom layer may hold it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lifeline.core.generated_docs import between_markers

ROOT = "lifeline"
# The ``lifeline`` package folder (a test points this at a planted copy).
PACKAGE_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Layer:
    name: str
    packages: tuple[str, ...]
    role: str


# Top first. Packages are dotted names under ``lifeline``; a module belongs to the longest
# package listed that contains it.
LAYERS: tuple[Layer, ...] = (
    Layer(
        "entry",
        (
            "urls",
            "server_errors",
            "settings",
            "wsgi",
            "cli",
            "api.router",
            "demo",
            "bench",
            "cluster",
            "testing",
        ),
        "Assembles the rest: the URL map and its last-resort error answer, the API router, "
        "the command line, the demo city, the benchmarks, the rehearsed cluster and the test "
        "kit. Nothing imports them.",
    ),
    Layer(
        "command",
        ("command", "notices"),
        "The command centre (dashboard figures of every app, alerts, daily reports, review "
        "meetings) and public notices (drafts, approval, SMS, the CAP feed, "
        "acknowledgements); independent of each other.",
    ),
    Layer(
        "continuity",
        ("continuity", "keyusers", "enterprises", "counselling"),
        "Lifeline units and their problems; key protected users and outages; enterprises in "
        "closed loop; the counselling line. Independent of each other.",
    ),
    Layer(
        "volunteers",
        ("volunteers",),
        "Volunteers, task groups, posts, shifts, sign-up lists, rosters and duty.",
    ),
    Layer(
        "supplies",
        ("supplies",),
        "Items, the stock ledger, donations, needs, allocation, shipments, supply packages.",
    ),
    Layer("teams", ("teams",), "Crews, vehicles, route plans and the routing solver."),
    Layer("screening", ("screening",), "Mass testing: rounds, sites, tubes, results, lists."),
    Layer("health", ("health",), "Health status, medical access, transfers, standing needs."),
    Layer(
        "requests and passes",
        ("workorders", "passes"),
        "Work orders (the hotline, residents, crews, the clocks) and movement passes; "
        "independent of each other.",
    ),
    Layer("registry", ("registry",), "Areas, units, buildings, households, people."),
    Layer(
        "kits",
        ("web", "api"),
        "The page kit (base templates, errors, form pages, navigation, login) and the API kit "
        "(error shape, schemas, paging, token auth, idempotent creates); independent.",
    ),
    Layer(
        "accounts",
        ("accounts",),
        "Users, roles and what each may do, memberships, scoping, tokens, lockout.",
    ),
    Layer(
        "core",
        ("core",),
        "The clock, the audit, the outbox, errors, idempotency, personal data, caches.",
    ),
)

# What a package offers to the layers above it ("*": everything, for the kits).
PUBLIC: dict[str, tuple[str, ...]] = {
    "core": ("*",),
    "web": ("*",),
    "api": ("*",),
    "accounts": ("models", "permissions", "scoping", "services", "forms", "lockout"),
    "registry": (
        "models",
        "selectors",
        "services",
        "tree",
        "geo",
        "sensitive",
        "importing",
        "panels",
        "vocab",
    ),
    "workorders": ("models", "selectors", "services", "providers", "links"),
    "passes": ("models", "selectors", "services"),
    "health": ("models", "selectors", "services", "vocab"),
    "screening": ("models", "selectors", "services"),
    "teams": ("models", "selectors", "services"),
    "supplies": ("models", "selectors", "services"),
    "volunteers": ("models", "selectors", "services"),
    "continuity": ("models", "selectors", "services"),
    "keyusers": ("models", "selectors", "services"),
    "enterprises": ("models", "selectors", "services"),
    "counselling": ("models", "selectors", "services"),
    "command": ("models", "selectors", "services"),
    "notices": ("models", "selectors", "services"),
}


@dataclass(frozen=True)
class Violation:
    importer: str
    imported: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.importer}:{self.line} imports {self.imported}: {self.reason}"


def _package_of(module: str) -> tuple[int, str] | None:
    """(layer index, package) of a dotted module under ``lifeline``, or None."""
    parts = module.split(".")
    if parts[0] != ROOT:
        return None
    rest = ".".join(parts[1:])
    best: tuple[int, str] | None = None
    for index, layer in enumerate(LAYERS):
        for package in layer.packages:
            if (rest == package or rest.startswith(package + ".")) and (
                best is None or len(package) > len(best[1])
            ):
                best = (index, package)
    return best


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        relative = path.relative_to(PACKAGE_DIR.parent)
        if "tests" in relative.parts or "migrations" in relative.parts:
            continue
        parts = list(relative.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield ".".join(parts), path


def _is_module(dotted: str) -> bool:
    base = PACKAGE_DIR.parent.joinpath(*dotted.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def _imports(module: str, path: Path) -> Iterator[tuple[str, int]]:
    """Every lifeline module ``path`` imports, with the line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                yield (candidate if _is_module(candidate) else base), node.lineno


def _public(package: str, imported: str) -> bool:
    offered = PUBLIC.get(package.split(".")[0], ())
    if "*" in offered:
        return True
    inside = imported.split(".")[1 + len(package.split(".")) :]
    # The package itself or one of its public modules (a public package's root only).
    return not inside or (inside[0] in offered and len(inside) == 1)


def violations() -> list[Violation]:
    """Every import that breaks the contract (empty when the code keeps it)."""
    found: list[Violation] = []
    for module, path in _modules():
        home = _package_of(module)
        if home is None:
            continue
        for imported, line in _imports(module, path):
            target = _package_of(imported)
            if target is None or target[1] == home[1]:
                continue
            if home[0] == 0:  # the entry layer assembles everything
                continue
            top_home, top_target = home[1].split(".")[0], target[1].split(".")[0]
            if target[0] < home[0]:
                reason = f"{LAYERS[target[0]].name} is above {LAYERS[home[0]].name}"
            elif target[0] == home[0] and top_home != top_target:
                reason = f"{home[1]} and {target[1]} share a layer and stay independent"
            elif not _public(target[1], imported):
                reason = f"not public: {target[1]} offers {', '.join(PUBLIC[top_target])}"
            else:
                continue
            violation = Violation(module, imported, line, reason)
            if violation not in found:
                found.append(violation)
    return found


def markdown() -> str:
    """The layers as a table for docs/architecture.md (generated, do not edit by hand)."""
    lines = [
        "| Layer (top first) | Packages | May be imported from it | What it holds |",
        "|---|---|---|---|",
    ]
    for layer in LAYERS:
        packages = ", ".join(f"`{ROOT}.{p}`" for p in layer.packages)
        offers: list[str] = []
        texts: set[str] = set()
        for package in layer.packages:
            offered = PUBLIC.get(package, ())
            text = (
                "everything"
                if "*" in offered
                else (", ".join(f"`{o}`" for o in offered) if offered else "nothing")
            )
            texts.add(text)
            offers.append(f"{package}: {text}")
        public = "; ".join(offers) if len(texts) > 1 else texts.pop()
        lines.append(f"| {layer.name} | {packages} | {public} | {layer.role} |")
    return "\n".join(lines) + "\n"


START, END = "<!-- layers-table:start -->", "<!-- layers-table:end -->"


def with_table(document: str) -> str:
    """``document`` with the text between the markers replaced by the current table."""
    return between_markers(document, START, END, markdown())
