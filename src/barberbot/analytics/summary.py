"""Everything the dashboard and the report show for one selection, as small DataFrames."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy.orm import Session

from barberbot.analytics import queries
from barberbot.analytics.bands import BAND_LABELS
from barberbot.analytics.filters import Selection
from barberbot.analytics.insights import Insight, find_insights
from barberbot.inquiries.choices import Gender

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
GENDER_LABELS = {g.value: g.label for g in Gender}


@dataclass
class Summary:
    selection: Selection
    zone: ZoneInfo
    type_labels: dict[str, str]
    totals: dict[str, int]
    previous: dict[str, int]
    customers: dict[str, int]  # new / returning
    by_age: pd.DataFrame  # age, inquiries
    by_band: pd.DataFrame  # age_band, inquiries (every band, in order)
    by_gender: pd.DataFrame  # gender, label, inquiries
    by_type: pd.DataFrame  # inquiry_type, label, inquiries (most first)
    band_by_type: pd.DataFrame  # rows: age bands, columns: type labels
    gender_by_type: pd.DataFrame  # rows: gender labels, columns: type labels
    per_day: pd.DataFrame  # day (local), inquiries, every day of the period
    weekday_hour: pd.DataFrame  # 7 x 24, local time
    by_location: pd.DataFrame  # shop_id, location, inquiries
    insights: list[Insight] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.totals["inquiries"] == 0

    @property
    def change(self) -> float | None:
        """Relative change in inquiries against the previous period; None without a base."""
        before = self.previous["inquiries"]
        return None if before == 0 else self.totals["inquiries"] / before - 1

    @property
    def consent_rate(self) -> float | None:
        total = self.totals["inquiries"]
        return None if total == 0 else self.totals["consenting"] / total

    def busiest(self) -> tuple[str, int] | None:
        """(weekday, hour) with the most inquiries, in local time."""
        if self.empty:
            return None
        table = self.weekday_hour
        row, column = divmod(int(table.to_numpy().argmax()), table.shape[1])
        return str(table.index[row]), int(table.columns[column])


def summarise(
    session: Session, selection: Selection, zone: ZoneInfo, type_labels: dict[str, str]
) -> Summary:
    previous_period = selection.period.previous()
    hourly = queries.hourly(session, selection)
    segments_now = queries.counts(session, selection, "inquiry_type", "gender", "age_band")
    segments_before = queries.counts(
        session, selection.with_period(previous_period), "inquiry_type", "gender", "age_band"
    )
    summary = Summary(
        selection=selection,
        zone=zone,
        type_labels=type_labels,
        totals=queries.totals(session, selection),
        previous=queries.totals(session, selection, previous_period),
        customers=queries.returning_customers(session, selection),
        by_age=queries.counts(session, selection, "age").sort_values("age", ignore_index=True),
        by_band=_by_band(segments_now),
        by_gender=_by_gender(segments_now),
        by_type=_by_type(segments_now, type_labels),
        band_by_type=_table(segments_now, "age_band", list(BAND_LABELS), type_labels),
        gender_by_type=_table(segments_now, "gender", list(GENDER_LABELS), type_labels),
        per_day=per_day(hourly, selection, zone),
        weekday_hour=weekday_hour(hourly, zone),
        by_location=queries.counts(session, selection, "shop_id", "location"),
    )
    summary.insights = find_insights(summary, segments_now, segments_before)
    return summary


def _by_band(segments: pd.DataFrame) -> pd.DataFrame:
    totals = segments.groupby("age_band")["inquiries"].sum()
    return pd.DataFrame(
        {"age_band": BAND_LABELS, "inquiries": [int(totals.get(b, 0)) for b in BAND_LABELS]}
    )


def _by_gender(segments: pd.DataFrame) -> pd.DataFrame:
    totals = segments.groupby("gender")["inquiries"].sum()
    return pd.DataFrame(
        {
            "gender": list(GENDER_LABELS),
            "label": list(GENDER_LABELS.values()),
            "inquiries": [int(totals.get(g, 0)) for g in GENDER_LABELS],
        }
    )


def _by_type(segments: pd.DataFrame, type_labels: dict[str, str]) -> pd.DataFrame:
    totals = segments.groupby("inquiry_type")["inquiries"].sum()
    keys = list(dict.fromkeys([*type_labels, *totals.index]))  # offered ones, then any retired
    frame = pd.DataFrame(
        {
            "inquiry_type": keys,
            "label": [type_labels.get(k, k) for k in keys],
            "inquiries": [int(totals.get(k, 0)) for k in keys],
        }
    )
    return frame.sort_values("inquiries", ascending=False, kind="stable", ignore_index=True)


def _table(
    segments: pd.DataFrame, rows: str, row_keys: list[str], type_labels: dict[str, str]
) -> pd.DataFrame:
    table = segments.pivot_table(
        index=rows, columns="inquiry_type", values="inquiries", aggfunc="sum", fill_value=0
    )
    table = table.reindex(index=row_keys, columns=list(type_labels), fill_value=0).astype(int)
    if rows == "gender":
        table.index = [GENDER_LABELS[g] for g in table.index]
    table.columns = [type_labels[k] for k in table.columns]
    return table


def per_day(hourly: pd.DataFrame, selection: Selection, zone: ZoneInfo) -> pd.DataFrame:
    """Inquiries per local calendar day, zero on days without any."""
    start = pd.Timestamp(selection.period.start).tz_convert(zone).normalize()
    end = pd.Timestamp(selection.period.end).tz_convert(zone)
    days = pd.date_range(start, end, freq="D", inclusive="left").date
    local_days = hourly["hour"].dt.tz_convert(zone).dt.date
    counts = hourly.groupby(local_days)["inquiries"].sum()
    return pd.DataFrame({"day": days, "inquiries": [int(counts.get(d, 0)) for d in days]})


def weekday_hour(hourly: pd.DataFrame, zone: ZoneInfo) -> pd.DataFrame:
    local = hourly["hour"].dt.tz_convert(zone)
    frame = pd.DataFrame(
        {
            "weekday": pd.Categorical(
                [WEEKDAYS[d] for d in local.dt.day_of_week], categories=WEEKDAYS
            ),
            "hour": local.dt.hour,
            "inquiries": hourly["inquiries"],
        }
    )
    table = frame.pivot_table(
        index="weekday", columns="hour", values="inquiries", aggfunc="sum", observed=False
    )
    return table.reindex(index=list(WEEKDAYS), columns=range(24)).fillna(0).astype(int)
