"""Pytest plugin: one real Rasa NLU server per session, for tests marked `rasa`."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

NLU_DIR = Path(__file__).resolve().parents[1] / "dialog" / "nlu"
SETUP_TIMEOUT = 1800  # a first run installs 2.7 GB of Rasa and trains the model
START_TIMEOUT = 180
NO_PYTHON_310 = 3
# Points the fixture at a server already running, to skip the ~40 s start while iterating.
EXISTING_SERVER_VARIABLE = "SHUBBAK_TEST_RASA_URL"


def prepare_or_skip() -> None:
    """Run setup.sh; skip the Rasa tests, saying why, when it cannot prepare the service."""
    try:
        done = subprocess.run(
            [str(NLU_DIR / "setup.sh")], capture_output=True, text=True, timeout=SETUP_TIMEOUT
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        pytest.skip(f"Rasa NLU: setup.sh could not run: {error}")
    if done.returncode != 0:
        why = "no Python 3.10" if done.returncode == NO_PYTHON_310 else f"exit {done.returncode}"
        pytest.skip(f"Rasa NLU: setup.sh failed ({why}): {tail(done.stderr or done.stdout)}")


def tail(output: str, lines: int = 5) -> str:
    """The last lines of a command's output, on one line."""
    return " | ".join(output.strip().splitlines()[-lines:])


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, log: Path) -> None:
    """Poll GET / until the server answers; fail with its log if it dies or takes too long."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"Rasa server exited with {server.returncode}: {tail(log.read_text())}")
        try:
            if requests.get(url + "/", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass  # not listening yet
        time.sleep(1)
    pytest.fail(f"Rasa server not up after {START_TIMEOUT} s: {tail(log.read_text())}")


def stop(server: subprocess.Popen) -> None:
    """Terminate the server's process group, killing it if it lingers."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


@pytest.fixture(scope="session")
def rasa_url() -> Iterator[str]:
    """Base URL of a Rasa server serving the trained Shubbak model."""
    if os.environ.get(EXISTING_SERVER_VARIABLE):
        yield os.environ[EXISTING_SERVER_VARIABLE].rstrip("/")
        return
    prepare_or_skip()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="shubbak-rasa-") as scratch:
        log = Path(scratch) / "server.log"
        with log.open("w") as output:
            server = subprocess.Popen(
                [str(NLU_DIR / "serve.sh")],
                env={**os.environ, "SHUBBAK_NLU_PORT": str(port), "SHUBBAK_NLU_HOST": "127.0.0.1"},
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so stop() reaches any child too
            )
        try:
            wait_until_up(url, server, log)
            yield url
        finally:
            stop(server)
