"""The scope matrix's machinery: a world of personas and objects, and one ``Case`` per API
operation. Each app keeps its own cases and world beside its code
(``<app>/tests/scope_cases.py``); ``tests/test_scope_matrix.py`` collects them and runs
every case against its world.

A world holds objects of grid A and grid B and the personas who must be refused on grid B's
objects (``denied``), those who must reach them (``controls``: the check that makes each row
able to fail), and those whose lists are checked row by row (``viewers``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

from django.db import transaction
from django.db.models import Model

from lifeline.accounts.models import Membership, Role, User
from lifeline.accounts.permissions import permissions_of
from lifeline.accounts.scoping import ANY, Scope, forget_scope
from lifeline.api.tests.helpers import client_for
from lifeline.registry.models import Area
from lifeline.testing.factories import SmallCity, make_user

DENIED = frozenset({403, 404})


@dataclass
class World:
    """Grid workers of grids A and B and a user with no membership; apps extend it."""

    city: SmallCity
    worker_a: User
    worker_b: User
    outsider: User

    denied: ClassVar[tuple[str, ...]] = ("worker_a", "outsider")
    controls: ClassVar[tuple[str, ...]] = ("worker_b",)
    viewers: ClassVar[tuple[str, ...]] = ("worker_a",)

    @property
    def grid_a(self) -> Area:
        return self.city.grid_a

    @property
    def grid_b(self) -> Area:
        return self.city.grid_b

    def persona(self, name: str) -> User:
        user = getattr(self, name)
        assert isinstance(user, User), name
        return user

    def may_see(self, viewer: str, row: dict[str, Any]) -> bool:
        """Whether a list row may reach ``viewer``: by default, rows placed in grid A."""
        return row_path(row).startswith(self.grid_a.path)

    def snapshot(self) -> Any:
        """State that a refused call must leave as it was (nothing, unless an app says)."""
        return None

    def private_values(self) -> list[str]:
        """Personal values a ``published`` answer must not contain (the app's world says)."""
        return []


def base_personas(city: SmallCity) -> dict[str, Any]:
    """The fields of ``World`` itself, for the builders of app worlds."""
    return {
        "city": city,
        "worker_a": make_user("matrix_a", role=Role.GRID_WORKER, area=city.grid_a),
        "worker_b": make_user("matrix_b", role=Role.GRID_WORKER, area=city.grid_b),
        "outsider": make_user("matrix_outsider"),
    }


Params = Callable[[Any], dict[str, Any]]


def _none(w: Any) -> dict[str, Any]:
    return {}


def _nothing(w: Any) -> None:
    return None


@dataclass(frozen=True)
class Case:
    """One API operation (several cases may share one, told apart by ``label``).

    ``kind``:

    - ``object``: grid B's object is refused (403/404, error shape, ``snapshot`` unchanged)
      for each ``denied`` persona and reached (2xx) by each ``control``;
    - ``list``: each ``viewer``'s own query is non-empty and every row passes ``may_see``;
      queries naming grid B's objects (``foreign``) are refused or show only such rows,
      while the controls see rows for them; the outsider sees nothing;
    - ``create``: a create aimed at grid B is refused for ``denied`` and writes no
      ``created`` row; the controls get 201;
    - ``reference``: data every member may read (the outsider none);
    - ``shared``: one answer for every persona, whatever their scope (public catalogues);
    - ``public``: no login; each ``foreign`` probe gets exactly the answer of the first (an
      unknown object), anonymous or logged in, and ``body`` succeeds anonymously;
    - ``published``: no login; a document every checkpoint fetches (key and revocation
      lists): one answer for anyone, carrying no personal value of the world;
    - ``custom``: ``check(world)`` does it all, for operations that fit none of the above.

    ``given`` puts the world in the state the controls' call needs (e.g. a resolved order).
    ``denied``, ``controls`` and ``viewers`` override the world's when set.
    """

    method: str
    path: str
    kind: str
    path_params: Params = _none
    query: Params = _none  # a query string every call of the case carries (``day=...``)
    own: Params = _none  # list: the query a viewer uses on their own rows
    foreign: tuple[Params, ...] = ()
    body: Params = _none
    created: type[Model] | None = None
    given: Callable[[Any], None] = _nothing
    denied: tuple[str, ...] = ()
    controls: tuple[str, ...] = ()
    viewers: tuple[str, ...] = ()
    check: Callable[[Any], None] | None = None
    label: str = ""

    @property
    def id(self) -> str:
        name = f"{self.method.upper()} {self.path}"
        return f"{name} [{self.label}]" if self.label else name

    def denied_in(self, w: World) -> tuple[str, ...]:
        return self.denied or w.denied

    def controls_in(self, w: World) -> tuple[str, ...]:
        return self.controls or w.controls

    def viewers_in(self, w: World) -> tuple[str, ...]:
        return self.viewers or w.viewers


def call(
    user: User | None,
    case: Case,
    w: World,
    query: dict[str, Any] | None = None,
    body: dict[str, Any] | None = None,
) -> Any:
    """``case``'s request as ``user`` (``None``: anonymous)."""
    client = client_for(user)
    url = case.path.format(**case.path_params(w))
    if case.method == "get":
        return client.get(url, {**case.query(w), **(query or {})})
    data = case.body(w) if body is None else body
    return client.generic(
        case.method.upper(), url, data=json.dumps(data), content_type="application/json"
    )


def call_undone(user: User | None, case: Case, w: World, **kwargs: Any) -> Any:
    """``call``, with its writes rolled back, so several controls start from one state."""
    with transaction.atomic():
        response = call(user, case, w, **kwargs)
        transaction.set_rollback(True)
    return response


def items_of(answer: Any) -> list[Any]:
    """A list answer's rows: a page (``{"items", "count"}``) or a bare JSON list."""
    return list(answer if isinstance(answer, list) else answer["items"])


def row_path(item: dict[str, Any]) -> str:
    return str(item.get("area_path") or item["area"]["area_path"])


@contextmanager
def permissions_consulted() -> Iterator[set[str]]:
    """Every permission any scope is asked about inside the block: what an operation
    checks, read from the operation itself rather than from a table."""
    seen: set[str] = set()
    original = Scope.grant

    def recording(self: Scope, perm: str | Iterable[str]) -> Any:
        seen.update([perm] if isinstance(perm, str) else list(perm))
        return original(self, perm)

    Scope.grant = recording  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        Scope.grant = original  # type: ignore[method-assign]


def unrelated_roles(consulted: set[str]) -> list[str]:
    """Roles granting none of ``consulted``: adding them anywhere must open nothing.

    ``*`` (any membership at all) is consulted by nearly every read: it decides whether an
    object outside the actor's grant answers 404 or 403, and it opens the area tree and
    reference data. Any role's membership satisfies it, so it cannot pick roles out; the
    other permissions consulted do. When ``*`` is all an operation checks (reference data
    any member reads), the roles granting nothing at all are the unrelated ones."""
    specific = consulted - {ANY}
    if not specific:
        return [role for role in Role.values if not permissions_of(role)]
    return [role for role in Role.values if not permissions_of(role) & specific]


def call_widened(
    user: User, case: Case, w: World, roles: list[str], area: Area, **kwargs: Any
) -> Any:
    """``call`` as ``user`` holding, besides their own, a membership over ``area`` in each
    of ``roles``; the memberships and the call's writes are rolled back."""
    with transaction.atomic():
        for role in roles:
            Membership.objects.create(user=user, role=role, area=area)
        forget_scope(user)
        response = call(user, case, w, **kwargs)
        transaction.set_rollback(True)
    forget_scope(user)
    return response
