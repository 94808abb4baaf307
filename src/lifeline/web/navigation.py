"""Where the operator is in the area tree: breadcrumbs, scoped like every other read."""

from __future__ import annotations

from typing import Any

from lifeline.core.scoping import scoped
from lifeline.registry.models import Area


def area_breadcrumbs(*, actor: Any, area: Area) -> list[Area]:
    """``area`` and its ancestors from the highest one the actor may see, top first.

    Ancestors above the actor's own subtree are left out: a grid worker's trail starts
    at the grid, so the page shows no area the actor may not open.
    """
    codes = area.path.strip("/").split("/")
    prefixes = ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]
    return list(scoped(Area.objects.filter(path__in=prefixes), actor).order_by("depth"))
