"""A throwaway MongoDB-wire server for tests: SecantusDB (PyPI, GPL-2.0, a dev dependency only).

The code under test talks plain MongoDB protocol through pymongo; nothing in it knows which
server this is. The data lives in a temporary folder, so the server can be stopped and started
again on the same port (an outage) and keep its documents.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.support.ports import free_port, terminate, wait_for_port

DATABASE = "barberbot_test"


def secantusd_binary() -> Path:
    binary = Path(sys.executable).parent / "secantusd-py"
    if not binary.exists():
        found = shutil.which("secantusd-py")
        if found is None:
            raise FileNotFoundError("install the dev dependency SecantusDB (secantusd-py)")
        binary = Path(found)
    return binary


class MongoServer:
    def __init__(self) -> None:
        self.port = free_port()
        self._dir = Path(tempfile.mkdtemp(prefix="barberbot-mongo-"))
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/{DATABASE}"

    def start(self) -> MongoServer:
        self.start_server()
        return self

    def start_server(self) -> None:
        """Start (or start again, keeping the data) the server process."""
        self._process = subprocess.Popen(
            [
                str(secantusd_binary()),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--storage-path",
                str(self._dir / "data"),
                "--log-level",
                "WARNING",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=self._dir,  # it looks for a secantusd.toml in the working folder
        )
        wait_for_port(self.port, timeout=30)

    def stop_server(self) -> None:
        """Stop the server process, keeping its data for `start_server`."""
        terminate(self._process, timeout=10)
        self._process = None

    def stop(self) -> None:
        self.stop_server()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> MongoServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
