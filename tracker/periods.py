"""NHS financial-year quarters, the periods ICSs report in (Q1 = April to June).

Periods are computed, not stored: `2026-27-Q2` is 1 July to 30 September 2026. History rows record
the code of the period they fall in, so "as at the end of a period" is a date comparison.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone

PERIOD_CODE = re.compile(r"^(?P<start>\d{4})-(?P<end>\d{2})-Q(?P<quarter>[1-4])$")
# The first period anyone could report in: ICSs became statutory on 1 July 2022.
FIRST_PERIOD_START = datetime.date(2022, 7, 1)


@dataclass(frozen=True, order=True)
class ReportingPeriod:
    financial_year: int  # the calendar year the financial year starts in
    quarter: int

    @classmethod
    def containing(cls, day: datetime.date) -> ReportingPeriod:
        if day.month >= 4:
            return cls(day.year, (day.month - 4) // 3 + 1)
        return cls(day.year - 1, 4)

    @classmethod
    def current(cls) -> ReportingPeriod:
        return cls.containing(timezone.localdate())

    @classmethod
    def from_code(cls, code: str) -> ReportingPeriod:
        match = PERIOD_CODE.match(code or "")
        if not match or (int(match["start"]) + 1) % 100 != int(match["end"]):
            raise ValueError(f"“{code}” is not a reporting period: use the form 2026-27-Q2 (Q1 is April to June).")
        return cls(int(match["start"]), int(match["quarter"]))

    @classmethod
    def all_until(cls, last: ReportingPeriod | None = None) -> list[ReportingPeriod]:
        """Every period from the first (2022-23 Q2) to `last` (default: the current one), oldest first."""
        last = last or cls.current()
        period, periods = cls.containing(FIRST_PERIOD_START), []
        while period <= last:
            periods.append(period)
            period = period.next
        return periods

    @property
    def code(self) -> str:
        return f"{self.financial_year}-{(self.financial_year + 1) % 100:02d}-Q{self.quarter}"

    @property
    def label(self) -> str:
        return f"Q{self.quarter} {self.financial_year}/{(self.financial_year + 1) % 100:02d}"

    @property
    def start(self) -> datetime.date:
        month = 3 * self.quarter + 1
        return datetime.date(self.financial_year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> datetime.date:
        return self.next.start - datetime.timedelta(days=1)

    @property
    def start_moment(self) -> datetime.datetime:
        """The period's first instant, in local time."""
        return timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))

    @property
    def end_moment(self) -> datetime.datetime:
        """The first instant after the period, in local time: history before it is 'as at the end'."""
        return timezone.make_aware(datetime.datetime.combine(self.next.start, datetime.time.min))

    @property
    def previous(self) -> ReportingPeriod:
        return (
            ReportingPeriod(self.financial_year - 1, 4)
            if self.quarter == 1
            else ReportingPeriod(self.financial_year, self.quarter - 1)
        )

    @property
    def next(self) -> ReportingPeriod:
        return (
            ReportingPeriod(self.financial_year + 1, 1)
            if self.quarter == 4
            else ReportingPeriod(self.financial_year, self.quarter + 1)
        )

    def __str__(self):
        return self.code
