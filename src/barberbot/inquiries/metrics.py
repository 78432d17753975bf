"""Prometheus metrics of capture, whichever way inquiries are accepted."""

from __future__ import annotations

from prometheus_client import Counter

ACCEPTED = Counter(
    "barberbot_inquiries_accepted_total", "Inquiries accepted from any entry point.", ["mode"]
)
