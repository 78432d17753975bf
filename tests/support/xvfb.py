"""A virtual X screen (Xvfb) for the desktop app's tests and screenshots."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from types import TracebackType

from tests.support.ports import terminate


class VirtualDisplay:
    """Starts `Xvfb :N` on a free display number and points DISPLAY at it."""

    def __init__(self, width: int = 1024, height: int = 768) -> None:
        if shutil.which("Xvfb") is None:
            raise FileNotFoundError("Xvfb not found: install the Debian package xvfb")
        self.size = f"{width}x{height}x24"
        self.display = ""
        self._process: subprocess.Popen[bytes] | None = None
        self._previous = os.environ.get("DISPLAY")

    def __enter__(self) -> VirtualDisplay:
        for number in range(90, 140):
            if Path(f"/tmp/.X11-unix/X{number}").exists() or Path(f"/tmp/.X{number}-lock").exists():
                continue
            self._process = subprocess.Popen(
                ["Xvfb", f":{number}", "-screen", "0", self.size, "-nolisten", "tcp"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if self._wait_for_socket(number):
                self.display = f":{number}"
                os.environ["DISPLAY"] = self.display
                return self
            terminate(self._process)
        raise RuntimeError("could not start Xvfb on any display :90-:139")

    def _wait_for_socket(self, number: int, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                return False
            if Path(f"/tmp/.X11-unix/X{number}").exists():
                return True
            time.sleep(0.05)
        return False

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        terminate(self._process)
        if self._previous is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = self._previous
