"""Calendar quarters: the one place Baton does quarter arithmetic.

A :class:`Quarter` is a year and a number 1–4. It knows its first day, the day
after its last (``end``, exclusive, so ranges read ``start <= day < end``), its
label ("2026 Q4") and its parameter ("2026-Q4"), and the quarters around it.
Plain values only: no database, no settings, so it is tested with dates.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

PARAM = re.compile(r"([0-9]{4})-Q([1-4])")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    def __post_init__(self):
        if not 1 <= self.number <= 4:
            raise ValueError(f"A quarter is numbered 1 to 4, not {self.number}.")

    @classmethod
    def containing(cls, day):
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text, first_year=1970, last_year=9998):
        """'2026-Q4' → Quarter(2026, 4); None for anything else or a year outside the range."""
        match = PARAM.fullmatch(text or "")
        if not match or not first_year <= int(match[1]) <= last_year:
            return None
        return cls(int(match[1]), int(match[2]))

    @property
    def start(self):
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self):
        """The first day after the quarter."""
        return self.next().start

    @property
    def last_day(self):
        return self.end - timedelta(days=1)

    @property
    def label(self):
        return f"{self.year} Q{self.number}"

    @property
    def param(self):
        return f"{self.year}-Q{self.number}"

    def previous(self):
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def next(self):
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def recent(self, count):
        """This quarter and the ``count - 1`` before it, newest first."""
        quarters = [self]
        while len(quarters) < count:
            quarters.append(quarters[-1].previous())
        return quarters
