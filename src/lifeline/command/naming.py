"""Areas named with their parents ("泰山路社区 · 第一网格"), never a bare grid name: a grid
or a community is named with the area above it; a street, district or city by its own
name. English names are used on English pages when the registry has them."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import get_language

from lifeline.registry.models import Area, AreaLevel
from lifeline.registry.tree import ancestor_paths

WITH_PARENT = (AreaLevel.COMMUNITY, AreaLevel.GRID)


def _name(row: tuple[str, str]) -> str:
    name, english = row
    if english and (get_language() or "").startswith("en"):
        return english
    return name


def area_titles(paths: Iterable[str]) -> dict[str, str]:
    """Each path's title, in one query for the paths and their parents."""
    wanted = set(paths)
    above = {p for path in wanted for p in ancestor_paths(path)[-2:]}
    rows = {
        path: (level, name, english)
        for path, level, name, english in Area.objects.filter(path__in=above).values_list(
            "path", "level", "name", "name_en"
        )
    }
    titles: dict[str, str] = {}
    for path in wanted:
        if path not in rows:
            continue
        level, name, english = rows[path]
        title = _name((name, english))
        parents = ancestor_paths(path)
        if level in WITH_PARENT and len(parents) >= 2 and parents[-2] in rows:
            _, pname, penglish = rows[parents[-2]]
            title = f"{_name((pname, penglish))} · {title}"
        titles[path] = title
    return titles


def area_title(area: Area) -> str:
    return area_titles([area.path]).get(area.path, area.name)
