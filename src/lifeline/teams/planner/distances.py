"""Distance and travel-time providers: integer matrices between lists of points.

Every provider returns a :class:`Matrix` of int64 distances (provider unit) and durations
(seconds, or Solomon time units), rows = origins, columns = destinations. Integers, because the
solver needs them and because the baseline, insertion and validation must agree to the unit.
"""

from __future__ import annotations

import json
import math
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from lifeline.teams.planner.model import Point

UNREACHABLE = 1 << 40
"""Distance/duration for pairs a road network cannot connect; far beyond any shift."""

EARTH_RADIUS_M = 6_371_000.0


@dataclass(frozen=True)
class Matrix:
    distance: npt.NDArray[np.int64]
    duration: npt.NDArray[np.int64]


class DistanceProvider(Protocol):
    def matrix(
        self, *, origins: Sequence[Point], destinations: Sequence[Point] | None = None
    ) -> Matrix:
        """Distances/durations from each origin to each destination (default: the origins)."""
        ...


def _coords(points: Sequence[Point]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    xs = np.fromiter((p.x for p in points), dtype=np.float64, count=len(points))
    ys = np.fromiter((p.y for p in points), dtype=np.float64, count=len(points))
    return xs, ys


@dataclass(frozen=True)
class HaversineDistance:
    """Great-circle metres times a road factor; durations at a constant speed.

    The road factor (1.3 by default) accounts for streets not being straight lines; it is a
    stand-in until a deployment switches on :class:`OsrmDistance`.
    """

    road_factor: float = 1.3
    speed_kmh: float = 25.0

    def matrix(
        self, *, origins: Sequence[Point], destinations: Sequence[Point] | None = None
    ) -> Matrix:
        dests = origins if destinations is None else destinations
        lng1, lat1 = (np.radians(a)[:, None] for a in _coords(origins))
        lng2, lat2 = (np.radians(a)[None, :] for a in _coords(dests))
        h = (
            np.sin((lat2 - lat1) / 2) ** 2
            + np.cos(lat1) * np.cos(lat2) * np.sin((lng2 - lng1) / 2) ** 2
        )
        metres = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))) * self.road_factor
        distance = np.floor(metres).astype(np.int64)
        # Durations derive from the integer metres so equal distances always take equal time.
        duration = np.round(distance * (3.6 / self.speed_kmh)).astype(np.int64)
        return Matrix(distance=distance, duration=duration)


@dataclass(frozen=True)
class EuclideanDistance:
    """Plain-plane distances scaled and truncated: ``trunc(scale * d)``; duration = distance.

    With ``scale=10`` this is the DIMACS convention for Solomon instances (one decimal).
    """

    scale: float = 1.0

    def matrix(
        self, *, origins: Sequence[Point], destinations: Sequence[Point] | None = None
    ) -> Matrix:
        dests = origins if destinations is None else destinations
        x1, y1 = _coords(origins)
        x2, y2 = _coords(dests)
        d = np.hypot(x1[:, None] - x2[None, :], y1[:, None] - y2[None, :])
        # No epsilon: the published best-known costs truncate exactly like this.
        distance = np.floor(self.scale * d).astype(np.int64)
        return Matrix(distance=distance, duration=distance.copy())


class OsrmDistance:
    """Road distances from an OSRM server's ``table`` service (switched on per deployment).

    Constructing it never touches the network; :meth:`matrix` does, in blocks of at most
    ``max_table`` coordinates (sources plus destinations), because OSRM servers cap the table
    size (``--max-table-size``, 100 by default).
    """

    def __init__(
        self,
        *,
        base_url: str,
        profile: str = "driving",
        timeout: float = 30.0,
        max_table: int = 100,
    ) -> None:
        scheme = urllib.parse.urlparse(base_url).scheme
        if scheme not in {"http", "https"}:
            raise ValueError(f"OSRM base URL must be http(s), not {scheme!r}")
        self.base_url = base_url.rstrip("/")
        self.profile = profile
        self.timeout = timeout
        self.max_table = max_table

    def table_url(self, *, sources: Sequence[Point], destinations: Sequence[Point]) -> str:
        """The request URL for one block: sources first, then destinations, lng,lat order."""
        coords = ";".join(f"{p.lng:.6f},{p.lat:.6f}" for p in [*sources, *destinations])
        n = len(sources)
        src = ";".join(str(i) for i in range(n))
        dst = ";".join(str(n + j) for j in range(len(destinations)))
        query = urllib.parse.urlencode(
            {"sources": src, "destinations": dst, "annotations": "distance,duration"}
        )
        return f"{self.base_url}/table/v1/{self.profile}/{coords}?{query}"

    def _fetch(self, url: str) -> dict[str, object]:
        with urllib.request.urlopen(url, timeout=self.timeout) as response:  # noqa: S310 (scheme checked in __init__)
            body: dict[str, object] = json.load(response)
        if body.get("code") != "Ok":
            raise RuntimeError(f"OSRM table request failed: {body.get('code')}")
        return body

    def matrix(
        self, *, origins: Sequence[Point], destinations: Sequence[Point] | None = None
    ) -> Matrix:
        dests = list(origins if destinations is None else destinations)
        distance = np.zeros((len(origins), len(dests)), dtype=np.int64)
        duration = np.zeros_like(distance)
        step = max(1, self.max_table // 2)
        for i in range(0, len(origins), step):
            for j in range(0, len(dests), step):
                src, dst = list(origins[i : i + step]), dests[j : j + step]
                body = self._fetch(self.table_url(sources=src, destinations=dst))
                distance[i : i + len(src), j : j + len(dst)] = _table(body["distances"])
                duration[i : i + len(src), j : j + len(dst)] = _table(body["durations"])
        return Matrix(distance=distance, duration=duration)


def _table(rows: object) -> npt.NDArray[np.int64]:
    """OSRM tables hold floats and nulls (unroutable pairs); nulls become UNREACHABLE."""
    assert isinstance(rows, list)
    return np.array(
        [[UNREACHABLE if v is None else math.floor(v) for v in row] for row in rows],
        dtype=np.int64,
    )
