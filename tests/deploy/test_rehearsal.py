"""The whole topology on loopback, under load, with an API replica and a worker SIGKILLed:
`deploy/rehearsal.py` at a small size (`make rehearsal` runs it for a minute)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.deploy.manifests import ROOT

REHEARSAL = ROOT / "deploy" / "rehearsal.py"


def test_every_accepted_inquiry_is_stored_exactly_once_through_kills() -> None:
    done = subprocess.run(
        [sys.executable, str(REHEARSAL), "--seconds", "5", "--threads", "6", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["accepted"] > 100
    assert result["lost"] == 0
    assert result["duplicates"] == 0
    assert result["stored"] == result["accepted"] + result["stored_without_answer"]
    assert result["stored_without_answer"] <= result["in_flight_lost"]
    assert any("SIGKILL api-1 and worker-1" in event for event in result["events"])
    assert any("restarted" in event for event in result["events"])
    assert all(
        event.endswith("outbox_backlog=0") for event in result["events"] if "readyz" in event
    )
    by_replica = result["accepted_per_second_by_replica"]
    assert len(by_replica) == 2  # both replicas took load
    assert abs(sum(by_replica.values()) - result["accepted_per_second"]) < 0.01
    assert 0 < result["latency_p50_ms"] <= result["latency_p99_ms"] <= result["latency_max_ms"]
    assert result["latency_p90_outside_kill_ms"] <= result["latency_p99_outside_kill_ms"]
