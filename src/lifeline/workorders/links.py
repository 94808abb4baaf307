"""The slot for what apps above work orders offer on an order's page.

Work orders sit below supplies (and later apps), so they never import them. Each such app
registers a provider when the apps are ready (``supplies/apps.py``):
``provider(*, actor, order)`` returns an ``OrderLink`` the actor may follow from this
order (raise a supply need for it, say), or None (each provider checks its own permission
and fails closed). A provider refusing with a ``ServiceError`` is left out of the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lifeline.core.actors import Actor
from lifeline.core.errors import ServiceError


@dataclass(frozen=True)
class OrderLink:
    label: str
    url: str
    order: int = 100  # links are shown by this, then by label


OrderLinkProvider = Callable[..., OrderLink | None]
_providers: dict[str, OrderLinkProvider] = {}


def register_order_link(name: str, provider: OrderLinkProvider) -> None:
    """Install ``provider(*, actor, order)`` under ``name`` (registering again replaces)."""
    _providers[name] = provider


def order_links(*, actor: Actor, order: Any) -> list[OrderLink]:
    links = []
    for provider in _providers.values():
        try:
            link = provider(actor=actor, order=order)
        except ServiceError:
            continue
        if link is not None:
            links.append(link)
    return sorted(links, key=lambda link: (link.order, link.label))
