"""A throwaway MariaDB server in a temporary folder, for tests and benchmarks."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from tests.support.ports import free_port, terminate

DATABASE = "barberbot"
USER = "barberbot"
PASSWORD = "barberbot-test"


def _binary(name: str) -> str:
    found = shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/usr/bin") / name) if p.exists()), None
    )
    if found is None:
        raise FileNotFoundError(f"{name} not found: install the Debian package mariadb-server")
    return found


class MariaDBServer:
    """Starts `mariadbd` on a free loopback port; `url` is a SQLAlchemy URL for its database."""

    def __init__(self, *options: str) -> None:
        """`options`: more of mariadbd's own (`--innodb-buffer-pool-size=2G`)."""
        self.options = options
        self.port = free_port()
        self._dir = Path(tempfile.mkdtemp(prefix="barberbot-mariadb-"))
        self.socket = self._dir / "mysqld.sock"
        self._data = self._dir / "data"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mysql+pymysql://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{DATABASE}"

    def start(self) -> MariaDBServer:
        self._install()
        self.start_server()
        self.sql(
            f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
            f"CREATE USER '{USER}'@'127.0.0.1' IDENTIFIED BY '{PASSWORD}';"
            f"GRANT ALL ON *.* TO '{USER}'@'127.0.0.1';"
        )
        return self

    def _install(self) -> None:
        subprocess.run(
            [
                _binary("mariadb-install-db"),
                "--no-defaults",
                f"--datadir={self._data}",
                "--user=root" if os.geteuid() == 0 else f"--user={os.getlogin()}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ],
            check=True,
            capture_output=True,
        )

    def start_server(self) -> None:
        """Start (or start again, keeping the data) the server process."""
        self._process = subprocess.Popen(
            [
                _binary("mariadbd"),
                "--no-defaults",
                f"--datadir={self._data}",
                f"--socket={self.socket}",
                f"--port={self.port}",
                "--bind-address=127.0.0.1",
                *(["--user=root"] if os.geteuid() == 0 else []),
                "--skip-name-resolve",
                "--character-set-server=utf8mb4",
                "--collation-server=utf8mb4_unicode_ci",
                "--skip-log-bin",
                "--innodb-flush-log-at-trx-commit=2",
                f"--pid-file={self._dir / 'mysqld.pid'}",
                # its own temporary tables beside its data, not in the machine's shared /tmp
                f"--tmpdir={self._dir}",
                f"--log-error={self._dir / 'error.log'}",
                *self.options,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait_ready()

    def sql(self, statements: str) -> str:
        """Run SQL as root through the socket and return what the client printed."""
        done = subprocess.run(
            [
                _binary("mariadb"),
                "--no-defaults",
                f"--socket={self.socket}",
                "-uroot",
                "-e",
                statements,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"mariadbd exited: {self._error_log()}")
            ping = subprocess.run(
                [
                    _binary("mariadb-admin"),
                    "--no-defaults",
                    f"--socket={self.socket}",
                    "-uroot",
                    "ping",
                ],
                capture_output=True,
            )
            if ping.returncode == 0:
                return
            time.sleep(0.1)
        raise TimeoutError(f"mariadbd not ready after {timeout}s: {self._error_log()}")

    def _error_log(self) -> str:
        log = self._dir / "error.log"
        return log.read_text()[-2000:] if log.exists() else "(no error log)"

    def stop_server(self) -> None:
        """Stop the server process, keeping its data for `start_server`."""
        terminate(self._process)

    def stop(self) -> None:
        self.stop_server()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> MariaDBServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
