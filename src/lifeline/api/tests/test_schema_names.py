"""OpenAPI names each body and response schema by its class name: two classes of one name
in different apps would make the document show one app's fields for the other's operation
(and the fuzz tests send the wrong bodies)."""

from __future__ import annotations

from collections import defaultdict

from ninja import Schema

from lifeline.api.router import api


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found.add(sub)
        found |= _subclasses(sub)
    return found


def test_every_api_schema_class_name_is_unique() -> None:
    api.get_openapi_schema()  # imports every mounted router and its schemas
    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("lifeline."):
            by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    clashes = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert clashes == {}
