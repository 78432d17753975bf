"""Everything the dashboard and the report show for one selection, as small DataFrames.

A few queries make a summary, whatever the number of inquiries: the period's counts per inquiry
type, gender, age band, shop and location (every breakdown, the totals and the locations table
come from those few hundred rows); the same for the period before (the changes); the counts per
age (the histogram); the inquiries per local hour (days, weeks, the heat map); the customers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.analytics import queries, rollups
from barberbot.analytics.bands import BAND_LABELS
from barberbot.analytics.filters import Selection
from barberbot.analytics.insights import Insight, find_insights
from barberbot.core.choices import Gender
from barberbot.models import Shop

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
GENDER_LABELS = {g.value: g.label for g in Gender}
SEGMENT = ["inquiry_type", "gender", "age_band"]
PLACE = ["shop_id", "location"]


@dataclass
class Summary:
    selection: Selection
    zone: ZoneInfo
    type_labels: dict[str, str]
    totals: dict[str, int]  # inquiries, consenting, and customers if counted
    previous: dict[str, int]  # inquiries, consenting: the period of the same length before
    customers: dict[str, int]  # new / returning, if counted (else empty)
    by_age: pd.DataFrame  # age, inquiries
    by_band: pd.DataFrame  # age_band, inquiries (every band, in order)
    by_gender: pd.DataFrame  # gender, label, inquiries
    by_type: pd.DataFrame  # inquiry_type, label, inquiries (most first)
    band_by_type: pd.DataFrame  # rows: age bands, columns: type labels
    gender_by_type: pd.DataFrame  # rows: gender labels, columns: type labels
    per_day: pd.DataFrame  # day (local), inquiries, previous (a week before), change
    per_week: pd.DataFrame  # week (local Monday), days, inquiries, previous, change
    weekday_hour: pd.DataFrame  # 7 x 24, local time
    # shop_id, shop (name), location ("" for none), inquiries, share, consenting, previous,
    # change; busiest first
    by_location: pd.DataFrame
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
    session: Session,
    selection: Selection,
    zone: ZoneInfo,
    type_labels: dict[str, str],
    *,
    count_customers: bool = True,
    held: rollups.Coverage | None = None,
) -> Summary:
    """The figures of a selection; `count_customers=False` leaves out the customer counts
    (the dashboard asks for them in a callback of their own, the costliest query).

    `held`: what the shops' rollups hold (`rollups.coverage`): those whole days are read from
    them, the rest from the inquiries; the figures are the same either way.
    """
    now, ages = queries.segments_and_ages(session, selection, held)
    previous = selection.period.previous()
    before = queries.segments(session, selection, previous, held)
    hours = queries.local_hours(session, selection, zone, held)
    people = queries.customers(session, selection) if count_customers else {}
    segments_now = _sum(now, SEGMENT)
    segments_before = _sum(before, SEGMENT)
    days = per_day(hours, selection, zone)
    summary = Summary(
        selection=selection,
        zone=zone,
        type_labels=type_labels,
        totals={
            "inquiries": int(now["inquiries"].sum()),
            "consenting": int(now["consenting"].sum()),
        }
        | ({"customers": people["customers"]} if people else {}),
        previous={
            "inquiries": int(before["inquiries"].sum()),
            "consenting": int(before["consenting"].sum()),
        },
        customers={key: people[key] for key in ("new", "returning") if people},
        by_age=ages[["age", "inquiries"]].sort_values("age", ignore_index=True),
        by_band=_by_band(segments_now),
        by_gender=_by_gender(segments_now),
        by_type=_by_type(segments_now, type_labels),
        band_by_type=_table(segments_now, "age_band", list(BAND_LABELS), type_labels),
        gender_by_type=_table(segments_now, "gender", list(GENDER_LABELS), type_labels),
        per_day=days,
        per_week=per_week(days),
        weekday_hour=weekday_hour(hours),
        by_location=by_location(now, before, _shop_names(session, selection)),
    )
    summary.insights = find_insights(summary, segments_now, segments_before)
    return summary


def _sum(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.groupby(keys, dropna=False)["inquiries"].sum().reset_index()


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


def _change(now: pd.Series, before: pd.Series) -> pd.Series:
    """now / before - 1, NaN where there was nothing before."""
    return (now / before.where(before > 0)) - 1


def per_day(hours: pd.DataFrame, selection: Selection, zone: ZoneInfo) -> pd.DataFrame:
    """Inquiries per local calendar day (zero on days without any), beside the same span of
    the same weekday a week before."""
    start = pd.Timestamp(selection.period.start).tz_convert(zone).tz_localize(None)
    end = pd.Timestamp(selection.period.end).tz_convert(zone).tz_localize(None)
    days = pd.date_range(start.normalize(), end, freq="D", inclusive="left")
    current = hours[hours["current"]]
    earlier = hours[hours["earlier"]]
    now = current.groupby(current["hour"].dt.normalize())["inquiries"].sum()
    shifted = (earlier["hour"] + timedelta(days=7)).dt.normalize()
    before = earlier.groupby(shifted)["inquiries"].sum()
    frame = pd.DataFrame(
        {
            "day": days.date,
            "inquiries": now.reindex(days, fill_value=0).to_numpy(dtype="int64"),
            "previous": before.reindex(days, fill_value=0).to_numpy(dtype="int64"),
        }
    )
    frame["change"] = _change(frame["inquiries"], frame["previous"])
    return frame


def per_week(days: pd.DataFrame) -> pd.DataFrame:
    """Inquiries per local week (Monday to Sunday) beside the week before; `days` says how
    many of the week's days are in the period, so a partial first or last week is compared
    with the same days of the week before."""
    monday = pd.to_datetime(days["day"]) - pd.to_timedelta(
        pd.to_datetime(days["day"]).dt.day_of_week, unit="D"
    )
    frame = (
        days.groupby(monday.dt.date.rename("week"))
        .agg(days=("day", "size"), inquiries=("inquiries", "sum"), previous=("previous", "sum"))
        .reset_index()
    )
    frame["change"] = _change(frame["inquiries"], frame["previous"])
    return frame


def weekday_hour(hours: pd.DataFrame) -> pd.DataFrame:
    current = hours[hours["current"]]
    table = np.zeros((7, 24), dtype="int64")
    np.add.at(
        table,
        (current["hour"].dt.day_of_week.to_numpy(), current["hour"].dt.hour.to_numpy()),
        current["inquiries"].to_numpy(),
    )
    return pd.DataFrame(table, index=list(WEEKDAYS), columns=range(24))


def _shop_names(session: Session, selection: Selection) -> dict[int, str]:
    query = select(Shop.id, Shop.name).where(Shop.id.in_(selection.shop_ids))
    return {shop_id: name for shop_id, name in session.execute(query)}


def by_location(now: pd.DataFrame, before: pd.DataFrame, names: dict[int, str]) -> pd.DataFrame:
    """Each shop and location of the view beside its previous period, busiest first."""

    def per_place(frame: pd.DataFrame) -> pd.DataFrame:
        # object first: a period without any location comes back as a float column of NaN
        frame = frame.assign(location=frame["location"].astype(object).fillna(""))
        return frame.groupby(PLACE)[["inquiries", "consenting"]].sum()

    merged = per_place(now).merge(
        per_place(before), how="outer", left_index=True, right_index=True,
        suffixes=("", "_before"),
    )  # fmt: skip
    merged = merged.fillna(0).astype("int64").reset_index()
    frame = merged.rename(columns={"inquiries_before": "previous"})
    total = frame["inquiries"].sum()
    frame["share"] = frame["inquiries"] / total if total else 0.0
    frame["change"] = _change(frame["inquiries"], frame["previous"])
    frame["shop"] = [names.get(int(shop_id), "") for shop_id in frame["shop_id"]]
    columns = ["shop_id", "shop", "location", "inquiries", "share", "consenting", "previous",
               "change"]  # fmt: skip
    return frame.sort_values(["inquiries", "previous"], ascending=False, ignore_index=True)[columns]
