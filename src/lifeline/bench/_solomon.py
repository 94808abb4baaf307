"""Solomon's VRPTW instances and best-known solutions, as planner requests.

DIMACS convention (the one the best-known costs use): Euclidean distances truncated to one
decimal, i.e. integer units of a tenth (``trunc(10 * d)``); travel time equals distance; windows
and service times are hard and scaled by 10 to match; the fleet is at most the file's vehicle
number; the objective is total distance. A plan's cost is ``total_distance / 10``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lifeline.teams.planner.distances import EuclideanDistance
from lifeline.teams.planner.model import Plan, PlanRequest, Point, Vehicle, Visit

SCALE = 10


@dataclass(frozen=True)
class Customer:
    number: int
    x: float
    y: float
    demand: int
    ready: int
    due: int
    service: int


@dataclass(frozen=True)
class Instance:
    """``customers[0]`` is the depot (its window is the working day)."""

    name: str
    vehicles: int
    capacity: int
    customers: tuple[Customer, ...]


@dataclass(frozen=True)
class Solution:
    routes: tuple[tuple[int, ...], ...]
    cost: float


def read_instance(*, path: Path) -> Instance:
    """Parse a Solomon ``NAME.txt`` file. Raises ValueError on a malformed file."""
    lines = [line.split() for line in path.read_text().splitlines()]
    name = lines[0][0] if lines and lines[0] else path.stem
    vehicles = capacity = None
    customers: list[Customer] = []
    for k, words in enumerate(lines):
        if words[:2] == ["NUMBER", "CAPACITY"]:
            vehicles, capacity = (int(w) for w in lines[k + 1][:2])
        elif len(words) == 7 and all(_is_number(w) for w in words):
            n, x, y, demand, ready, due, service = words
            customers.append(
                Customer(
                    int(n), float(x), float(y), int(demand), int(ready), int(due), int(service)
                )
            )
    if vehicles is None or capacity is None or not customers or customers[0].number != 0:
        raise ValueError(f"{path} is not a Solomon instance")
    return Instance(name, vehicles, capacity, tuple(customers))


def read_solution(*, path: Path) -> Solution:
    """Parse a ``NAME.sol`` file: ``Route #k: customers...`` lines and a ``Cost`` line."""
    routes: list[tuple[int, ...]] = []
    cost = None
    for line in path.read_text().splitlines():
        if line.startswith("Route"):
            routes.append(tuple(int(w) for w in line.split(":", 1)[1].split()))
        elif line.startswith("Cost"):
            cost = float(line.split()[1])
    if cost is None:
        raise ValueError(f"{path} has no Cost line")
    return Solution(tuple(routes), cost)


def to_request(*, instance: Instance, time_limit: float = 10.0, seed: int = 0) -> PlanRequest:
    """The instance as a plan request: all visits required, fleet of identical vehicles."""
    depot = instance.customers[0]
    home = Point(depot.x, depot.y)
    vehicles = tuple(
        Vehicle(
            id=f"v{k + 1}",
            depot=home,
            capacity=instance.capacity,
            shift_start=depot.ready * SCALE,
            shift_end=depot.due * SCALE,
        )
        for k in range(instance.vehicles)
    )
    visits = tuple(
        Visit(
            id=str(c.number),
            location=Point(c.x, c.y),
            service=c.service * SCALE,
            earliest=c.ready * SCALE,
            latest=c.due * SCALE,
            size=c.demand,
        )
        for c in instance.customers[1:]
    )
    return PlanRequest(
        vehicles=vehicles,
        visits=visits,
        time_limit=time_limit,
        seed=seed,
        require_all=True,
        max_subproblem=max(400, len(visits)),
    )


def distances() -> EuclideanDistance:
    """The DIMACS distance: one decimal, as integer tenths."""
    return EuclideanDistance(scale=SCALE)


def cost(*, plan: Plan) -> float:
    """Total distance in the instance's own units (one decimal)."""
    return plan.total_distance / SCALE


def gap_percent(*, cost: float, best_known: float) -> float:
    return 100.0 * (cost - best_known) / best_known


def _is_number(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True
