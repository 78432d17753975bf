"""One structured log line per request, JSON when asked for."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from barberbot.core.logging import JsonFormatter, configure_logging


def test_each_request_is_logged_with_its_id_status_and_duration(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="barberbot.http"):
        response = client.get("/healthz")

    [record] = [r for r in caplog.records if r.name == "barberbot.http"]
    assert record.getMessage() == "request"
    assert (record.method, record.path, record.status) == ("GET", "/healthz", 200)  # type: ignore[attr-defined]
    assert record.request_id == response.headers["x-request-id"]  # type: ignore[attr-defined]
    assert record.ms >= 0  # type: ignore[attr-defined]


def test_the_json_format_is_one_object_per_line_with_the_extras() -> None:
    record = logging.makeLogRecord(
        {"name": "barberbot.http", "levelname": "INFO", "msg": "request", "status": 201}
    )

    line = JsonFormatter().format(record)

    entry = json.loads(line)
    assert entry["event"] == "request"
    assert entry["level"] == "info"
    assert entry["status"] == 201
    assert "\n" not in line


def test_configure_logging_installs_one_handler_at_the_level() -> None:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        configure_logging("WARNING", "json")
        assert root.level == logging.WARNING
        assert [type(h.formatter) for h in root.handlers] == [JsonFormatter]
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
