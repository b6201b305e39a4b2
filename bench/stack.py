"""The servers under test: a dedicated PostgreSQL database, a claimed Redis db, gunicorn and RQ worker processes.

Everything a benchmark starts it also stops and drops, even when the run fails: `with Stack() as stack: ...`.
The Redis db number is claimed with the same key the test suite uses, so benchmarks and test runs never share one.
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import redis as redis_lib
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from migrations.run import upgrade
from orders_core.db import make_engine, make_session_factory, normalise_url
from orders_core.services import seed_directory
from orders_core.uow import UnitOfWork

from .directory import national_directory

__all__ = ["Stack", "ROOT", "AT_KEY"]

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
AT_KEY = "bench-" + "k" * 40  # the Africa's Talking webhook key the servers accept during a run
CLAIM = "shubbak:test-db:{}"


def free_port() -> int:
    """A TCP port nobody listens on right now, on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Stack:
    """One benchmark's PostgreSQL database, Redis db and server processes."""

    def __init__(self, name: str = "bench"):
        self.name = f"shubbak_{name}_{uuid.uuid4().hex[:8]}"
        self.workdir = Path(tempfile.mkdtemp(prefix=f"{name}-"))
        self.processes: list[subprocess.Popen] = []
        self.redis_db: int | None = None
        self.web: subprocess.Popen | None = None
        self._token = uuid.uuid4().hex
        self._admin = None

    # -- storage ------------------------------------------------------------------------------------------------
    def __enter__(self) -> "Stack":
        try:
            self._create_database()
            self._claim_redis()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def database_url(self) -> str:
        return make_url(normalise_url(PG_URL)).set(database=self.name).render_as_string(hide_password=False)

    @property
    def redis_url(self) -> str:
        return REDIS_URL.rsplit("/", 1)[0] + f"/{self.redis_db}"

    def redis(self) -> redis_lib.Redis:
        return redis_lib.Redis.from_url(self.redis_url)

    def _create_database(self) -> None:
        self._admin = create_engine(make_url(normalise_url(PG_URL)), isolation_level="AUTOCOMMIT")
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        upgrade(self.database_url)
        engine = make_engine(self.database_url)
        seed_directory(UnitOfWork(make_session_factory(engine)), national_directory())  # 2,172 offices
        engine.dispose()

    def _claim_redis(self) -> None:
        claims = redis_lib.Redis.from_url(REDIS_URL)
        # An empty db as well as a claim: a claim can vanish (anything flushing db 0 wipes them all).
        self.redis_db = next((n for n in range(1, 16) if self._empty(n)
                              and claims.set(CLAIM.format(n), self._token, nx=True, ex=3600)), None)
        if self.redis_db is None:
            raise RuntimeError("no free Redis database number (1-15): test runs hold them all")
        self.redis().flushdb()

    @staticmethod
    def _empty(number: int) -> bool:
        return redis_lib.Redis.from_url(REDIS_URL.rsplit("/", 1)[0] + f"/{number}").dbsize() == 0

    def close(self) -> None:
        """Stop every process started here, release the Redis db, drop the database."""
        for proc in reversed(self.processes):
            stop(proc)
        self.processes.clear()
        if self.redis_db is not None:
            self.redis().flushdb()
            claims = redis_lib.Redis.from_url(REDIS_URL)
            if claims.get(CLAIM.format(self.redis_db)) == self._token.encode():
                claims.delete(CLAIM.format(self.redis_db))
            self.redis_db = None
        if self._admin is not None:
            with self._admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            self._admin.dispose()
            self._admin = None
        shutil.rmtree(self.workdir, ignore_errors=True)

    # -- processes ----------------------------------------------------------------------------------------------
    def env(self, **extra: str) -> dict:
        """The environment of a server process: this stack's storage, the bench endpoint on, production logging."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("SHUBBAK_")}
        env.update(DATABASE_URL=self.database_url, REDIS_URL=self.redis_url, SHUBBAK_BENCH="1",
                   SHUBBAK_INSTANCE_PATH=str(self.workdir), SHUBBAK_AT_WEBHOOK_KEYS=AT_KEY,
                   SHUBBAK_TWILIO_AUTH_TOKEN="bench-" + secrets.token_hex(16),
                   SHUBBAK_SECRET_KEY="bench-" + secrets.token_hex(16), PYTHONPATH=str(ROOT),
                   # A load test sends far more per number than a person: counted (its cost measured), never refused.
                   SHUBBAK_WEBHOOK_PHONE_LIMIT="1000000 per minute", SHUBBAK_LOGIN_LIMIT="1000000 per minute")
        env.update(extra)
        return env

    def start(self, argv: list[str], log_name: str, **env: str) -> subprocess.Popen:
        """Start a process in the repository with this stack's environment; its output goes to a log file."""
        log = open(self.workdir / f"{log_name}.log", "ab")
        proc = subprocess.Popen(argv, cwd=ROOT, env=self.env(**env), stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        log.close()
        self.processes.append(proc)
        return proc

    def start_web(self, workers: int = 2, threads: int = 4, **env: str) -> str:
        """Gunicorn serving the app, as in the Procfile; returns its base URL once /healthz answers."""
        port = free_port()
        argv = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
                "--bind", f"127.0.0.1:{port}", "--keep-alive", "30", "app:create_app()"]
        proc = self.start(argv, "web", **env)
        self.web = proc
        base = f"http://127.0.0.1:{port}"
        wait_until_healthy(base, proc, self.workdir / "web.log")
        return base

    def database_bytes(self) -> int:
        with self._admin.connect() as conn:
            return conn.execute(text("SELECT pg_database_size(:name)"), {"name": self.name}).scalar()

    def count(self, table: str) -> int:
        """Rows in one of this stack's tables."""
        engine = create_engine(make_url(normalise_url(self.database_url)))
        try:
            with engine.connect() as conn:
                return conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar()
        finally:
            engine.dispose()

    def redis_footprint(self) -> dict[str, tuple[int, int]]:
        """Keys and bytes (MEMORY USAGE) held in this stack's Redis db, by key prefix (up to the 2nd colon)."""
        connection, found = self.redis(), {}
        for key in connection.scan_iter(count=1000):
            prefix = ":".join(key.decode(errors="replace").split(":")[:2])
            keys, size = found.get(prefix, (0, 0))
            found[prefix] = (keys + 1, size + (connection.memory_usage(key) or 0))
        return found

    def web_workers(self) -> list[int]:
        """The pids of gunicorn's workers (not the master, which serves no request)."""
        return child_pids(self.web.pid) if self.web else []

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.workdir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def wait_until_healthy(base: str, proc: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if requests.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not healthy after {timeout}s:\n{log.read_text(errors='replace')[-3000:]}")


def stop(proc: subprocess.Popen, grace: float = 10) -> None:
    """Stop a process group started by a Stack: TERM, then KILL after the grace period."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def child_pids(pid: int) -> list[int]:
    """The direct children of a process (gunicorn's workers, an RQ worker's work horse)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def peak_rss_mb(pid: int) -> float:
    """A process's peak resident set size (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (0 when it has exited)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime: fields 14, 15 of proc(5)


class CpuMeter:
    """CPU seconds used between entering and leaving, per named group of processes (listed at both ends)."""

    def __init__(self, groups: dict):
        self.groups = groups  # name -> callable returning the group's pids now
        self.used: dict[str, float] = {}

    def _snapshot(self) -> dict:
        return {name: {pid: cpu_seconds(pid) for pid in pids()} for name, pids in self.groups.items()}

    def __enter__(self) -> "CpuMeter":
        self._before = self._snapshot()
        return self

    def __exit__(self, *exc) -> None:
        after = self._snapshot()
        for name, now in after.items():
            before = self._before[name]
            self.used[name] = sum(cpu - before.get(pid, 0.0) for pid, cpu in now.items())


def redis_server() -> list[int]:
    """The local redis-server process (shared with anything else using it: an upper bound)."""
    return _processes(lambda cmd: cmd.startswith("redis-server") and ":6379" in cmd)


def postgres_backends(database: str) -> list[int]:
    """The PostgreSQL server processes serving connections to this database."""
    return _processes(lambda cmd: cmd.startswith("postgres: ") and f" {database} " in cmd)


def _processes(matches) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if matches(cmdline):
            found.append(int(entry.name))
    return found
