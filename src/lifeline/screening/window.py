"""The per-person day window: pure arithmetic on (last day, bit mask), no database.

Bit k of the mask means "a negative sample was taken on ``last - k`` days". Adding a day
and reading "tests in the last D days" or "compliant until" cost a few integer operations,
whatever the person's history; results arriving out of order only set an older bit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

MASK_DAYS = 60  # fits a signed 64-bit column; policies are limited to MAX_WINDOW_DAYS
MAX_WINDOW_DAYS = 30
_FULL = (1 << MASK_DAYS) - 1


@dataclass(frozen=True)
class DayWindow:
    last: dt.date | None
    mask: int

    def add(self, day: dt.date) -> DayWindow:
        """The window with one more tested day."""
        if self.last is None:
            return DayWindow(day, 1)
        shift = (day - self.last).days
        if shift > 0:
            mask = (self.mask << shift) & _FULL if shift < MASK_DAYS else 0
            return DayWindow(day, mask | 1)
        back = -shift
        if back >= MASK_DAYS:
            return self  # older than anything a policy can look at
        return DayWindow(self.last, self.mask | (1 << back))

    def tests_within(self, *, today: dt.date, days: int) -> int:
        """Distinct tested days in (today - days, today]."""
        if self.last is None:
            return 0
        age = (today - self.last).days
        if age >= days:
            return 0
        if age >= 0:
            return _popcount(self.mask & ((1 << (days - age)) - 1))
        return _popcount((self.mask >> -age) & ((1 << days) - 1))

    def compliant_until(self, *, required: int, days: int) -> dt.date | None:
        """The last day on which ``required`` tests in ``days`` days still hold, or None."""
        if self.last is None:
            return None
        mask, seen = self.mask, 0
        for k in range(MASK_DAYS):
            if mask >> k & 1:
                seen += 1
                if seen == required:
                    return self.last - dt.timedelta(days=k) + dt.timedelta(days=days - 1)
        return None


def _popcount(value: int) -> int:
    return bin(value).count("1")
