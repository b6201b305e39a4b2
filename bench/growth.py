"""Growth: every staff, finance and inspector page and every periodic job, timed at 10k, 100k and 1M orders.

One PostgreSQL database grows from one size to the next (bench.history: the last 120 days are the same at every
size, only older history grows), and each page is opened in this process through the app's test client by a
logged-in member of staff: the median of several requests, after one to warm up. Printed: each page's and job's
median at each size, its largest/smallest ratio, its SQL statements and slowest statement, the plan of the
slowest statement of the largest size, storage per order with the retention job's window, and last
`ratio=<largest ratio>`. Stops by itself (a time budget ends the run after the size in progress) and drops what
it made.
"""
from __future__ import annotations

import argparse
import re
import statistics
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import event, text

from settings import Settings

from . import history
from .figures import load, machine
from .stack import Stack

PASSWORD = "bench growth password"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
RETENTION_DAYS = Settings().notify_retention_days  # the default the README states
BACKLOG_DAYS = 7
# Whose plans are printed at the largest size whatever their ratio.
WATCHED = ("job late_reports", "job late_reports, lists planned", "job purge_history (retention)", "finance card batches")


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="orders at each step (default 10k,100k,1M)")
    parser.add_argument("--repeats", type=int, default=7, help="requests per page and size (median of them)")
    parser.add_argument("--budget-minutes", type=float, default=40, help="no new size is loaded after this")
    return parser.parse_args()


class Recorder:
    """The SQL statements the app sends while one page or job runs, each with its time."""

    def __init__(self, engine):
        self.statements: list[tuple[float, str, object]] = []
        self._started: dict[int, float] = {}
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self._started[id(cursor)] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        started = self._started.pop(id(cursor), None)
        if started is not None:
            self.statements.append(((time.perf_counter() - started) * 1000, statement, parameters))


class Timing:
    def __init__(self, samples: list[float], statements: list):
        self.median = statistics.median(samples)
        self.best = min(samples)  # the figure least disturbed by other work on a shared machine
        self.count = len(statements)
        self.statements = list(statements)  # the recorder goes on appending to its own list
        self.slowest = max(statements, key=lambda s: s[0], default=(0.0, "", None))


def measure(run, recorder: Recorder, repeats: int) -> Timing:
    """The median time of `run` over `repeats` calls after one warm-up; the SQL of the last call."""
    run()
    samples = []
    for _ in range(repeats):
        recorder.statements = []
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return Timing(samples, recorder.statements)


# -- the people opening the pages ---------------------------------------------------------------------------------
ACCOUNTS = {  # username: (role, office, province)
    "bench-agent": ("agent", history.HOME, None), "bench-supervisor": ("supervisor", history.HOME, None),
    "bench-inspector": ("inspector", None, history.HOME_PROVINCE), "bench-finance": ("finance", None, None),
    "bench-support": ("support", None, None),
}


def make_people(services) -> dict[str, int]:
    from orders_core.services import create_user
    from staff.passwords import hash_password

    hashed = hash_password(PASSWORD)
    return {name: create_user(services.uow(), name, name, hashed, role, office_code=office,
                              province_code=province).id
            for name, (role, office, province) in ACCOUNTS.items()}


def add_office_staff(conn) -> None:
    """An agent and a supervisor with phones at every 20th office: whom the digests and late reports go to."""
    conn.execute(text("""
        INSERT INTO users (username, display_name, password_hash, role, office_code, phone, language, active,
                           created_at)
        SELECT r || '-' || code, r || ' ' || code, 'x', r, code, '+2126' || lpad((n * 2 + (r = 'agent')::int)::text,
               8, '9'), 'fr', true, now()
        FROM (SELECT code, row_number() OVER (ORDER BY code) AS n FROM offices) o,
             (VALUES ('agent'), ('supervisor')) AS roles(r)
        WHERE n % 20 = 0"""))


class Desk:
    """A test client logged in as one member of staff."""

    def __init__(self, app, username: str):
        self.client = app.test_client()
        token = _TOKEN.search(self.client.get("/staff/login").get_data(as_text=True)).group(1)
        answer = self.client.post("/staff/login", data={"username": username, "password": PASSWORD,
                                                        "csrf_token": token})
        if answer.status_code != 302:
            raise RuntimeError(f"bench login of {username!r} answered {answer.status_code}")

    def opener(self, path: str):
        def open_page():
            answer = self.client.get(path)
            if answer.status_code != 200:
                raise RuntimeError(f"{path} answered {answer.status_code}")
        return open_page


def pages(app, services, now: datetime) -> dict:
    """Name -> a function opening the page once."""
    desks = {name: Desk(app, name) for name in ACCOUNTS}
    with services.engine.connect() as conn:
        recent = conn.execute(text("SELECT id, reference FROM orders WHERE office_code = :home AND status = "
                                   "'in_progress' ORDER BY id DESC LIMIT 1"), {"home": history.HOME}).first()
    yesterday = (now - timedelta(days=1)).date().isoformat()
    agent, boss, inspector = desks["bench-agent"], desks["bench-supervisor"], desks["bench-inspector"]
    finance, support = desks["bench-finance"], desks["bench-support"]
    return {
        "agent queue": agent.opener("/staff/queue"),
        "agent order page": agent.opener(f"/staff/orders/{recent.id}"),
        "agent cover sheet": agent.opener(f"/staff/orders/{recent.id}/cover"),
        "supervisor queue": boss.opener("/staff/queue"),
        "supervisor workload": boss.opener("/staff/workload"),
        "inspector figures 7 days": inspector.opener("/staff/inspection?days=7"),
        "inspector figures 90 days": inspector.opener("/staff/inspection?days=90"),
        "inspector complaints": inspector.opener("/staff/complaints"),
        "inspector complaints closed": inspector.opener("/staff/complaints?closed=1"),
        "finance overview 30 days": finance.opener("/staff/finance"),
        "finance by commune csv": finance.opener("/staff/finance/commune.csv"),
        "finance credits csv": finance.opener("/staff/finance/credits.csv"),
        "finance reconciliation": finance.opener(f"/staff/finance/reconciliation?day={yesterday}"),
        "finance reconciliation csv": finance.opener(f"/staff/finance/reconciliation.csv?day={yesterday}"),
        "finance card batches": finance.opener("/staff/finance/cards"),
        "support complaints": support.opener("/staff/complaints"),
        "support escalations": support.opener("/staff/escalations"),
        "support lookup by reference": support.opener(f"/staff/lookup?q={recent.reference}"),
    }


def periodic_jobs(services) -> dict:
    """Name -> a function running the periodic job's work once, in this process (what it would queue is queued)."""
    import notifications
    from jobs import notifications as jobs
    from jobs.conversations import resend_replies
    from jobs.inbox import sweep_inbox

    notifier = services.notifier
    return {
        "job expire_orders": jobs.expire_orders,
        "job dispatch_outbox": lambda: notifications.claim_outbox(services.uow()),
        "job sweep": lambda: notifications.sweep(services.uow(), notifier),
        "job agent_digests": lambda: notifications.agent_digests(services.uow(), notifier),
        "job late_reports": lambda: notifications.late_reports(services.uow(), notifier),
        # The lists as the first run of a day plans them (a later run finds them stored and reads no orders).
        "job late_reports, lists planned": lambda: _late_lists(services),
        "job sweep_inbox": sweep_inbox,
        "job resend_replies": resend_replies,
    }


def _late_lists(services) -> list:
    from notifications import staff

    with services.uow() as uow:
        return staff.late_reports_due(uow, uow.now(), "bench-day")


# -- storage ------------------------------------------------------------------------------------------------------
MESSAGE_TABLES = ("outbox", "notification_messages", "notification_events", "agent_notices")


def table_sizes(conn) -> dict[str, tuple[int, int]]:
    """Each table's bytes (with indexes and TOAST) and rows."""
    rows = conn.execute(text("SELECT relname, pg_total_relation_size(oid), reltuples::bigint FROM pg_class "
                             "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"))
    return {name: (size, max(tuples, 0)) for name, size, tuples in rows}


def storage_lines(conn) -> list[str]:
    sizes = table_sizes(conn)
    orders = conn.execute(text("SELECT count(*) FROM orders")).scalar()
    with_messages = conn.execute(text("SELECT count(DISTINCT order_id) FROM notification_messages")).scalar()
    message_bytes = sum(sizes.get(t, (0, 0))[0] for t in MESSAGE_TABLES)
    core = sum(size for name, (size, _) in sizes.items() if name not in MESSAGE_TABLES)
    per_order = core / orders / 1024
    per_messaged = message_bytes / max(with_messages, 1) / 1024
    steady = per_order + per_messaged * RETENTION_DAYS / 365
    total = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
    return [f"storage at {orders:,} orders: database {total / 2**30:.2f} GiB; order records {per_order:.2f} KiB "
            f"an order; outbox and messages {per_messaged:.2f} KiB an order that has them ({with_messages:,})",
            f"storage per order, steady state (a year of orders, messages kept {RETENTION_DAYS} days): "
            f"{per_order:.2f} + {per_messaged:.2f} x {RETENTION_DAYS}/365 = {steady:.2f} KiB"]


# -- the run ------------------------------------------------------------------------------------------------------
def grow(services, loader, now: datetime, loaded: int, size: int) -> None:
    """Add orders up to `size`; the window (with its messages) first; then the retention band again."""
    retention_cut = now - timedelta(days=RETENTION_DAYS)
    # Messages of the orders of the retention period, and of a week before it: what each size's retention runs
    # delete (older ones are taken as deleted by earlier runs).
    backlog = retention_cut - timedelta(days=BACKLOG_DAYS)
    with loader.begin():
        if loaded == 0:
            history.add_orders(loader, 1, history.WINDOW)
            history.window_plan(loader)
            history.add_messages(loader, backlog, now + timedelta(days=1))
        elif loaded < size:
            # The previous size's retention runs deleted the backlog: it comes back, so that each size's runs have the
            # same to delete.
            history.add_messages(loader, backlog, retention_cut)
        if size > max(loaded, history.WINDOW):
            history.add_orders(loader, max(loaded, history.WINDOW) + 1, size)
    with services.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def purge_backlog(services, recorder) -> Timing:
    """The periodic retention job run until the backlog is gone, each run timed: its median and best over the runs
    that deleted rows, like every other job (one timed run on a shared machine was a sample of its load)."""
    from jobs import notifications as jobs

    samples, statements, deleted = [], [], []
    while True:
        recorder.statements = []
        started = time.perf_counter()
        rows = jobs.purge_history()
        if not rows:
            break
        samples.append((time.perf_counter() - started) * 1000)
        statements, deleted = list(recorder.statements), [*deleted, rows]
    timing = Timing(samples or [0.0], statements)
    print(f"    retention: {len(samples)} runs deleted {sum(deleted):,} rows ({', '.join(map(str, deleted))}): "
          f"median {timing.median:.0f} ms, best {timing.best:.0f} ms a run")
    return timing


def explain(services, statement: str, parameters) -> list[str]:
    verb = statement.lstrip().split(None, 1)[0].upper()
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if verb in ("SELECT", "WITH") else "EXPLAIN "
    with services.engine.connect() as conn:
        return [row[0] for row in conn.exec_driver_sql(prefix + statement, parameters)]


def _shown(statement: str) -> str:
    """A statement short enough to print: long IN lists cut."""
    flat = " ".join(statement.split())
    return flat if len(flat) <= 600 else flat[:600] + " ..."


def _reads(timing: Timing) -> list:
    return [s for s in timing.statements if s[1].lstrip().upper().startswith(("SELECT", "WITH"))]


def print_plan(services, name: str, read) -> None:
    ms, statement, parameters = read
    print(f"\nslowest read of {name} ({ms:.1f} ms): {_shown(statement)}\nplan:")
    print("\n".join("    " + _cut(line) for line in explain(services, statement, parameters)))


def _cut(line: str) -> str:
    return line if len(line) <= 300 else line[:300] + " ..."


def print_slowest(services, results: dict, sizes: list[int], watched: tuple[str, ...]) -> None:
    """The plan (as PostgreSQL runs it at the largest size) of the slowest read of any page or job, and of each
    watched one or one over 1.5x its time at the smallest size."""
    first, last = sizes[0], sizes[-1]
    reads = {name: max(_reads(t[last]), key=lambda s: s[0]) for name, t in results.items()
             if last in t and _reads(t[last])}
    if not reads:
        return
    slowest = max(reads, key=lambda name: reads[name][0])
    grown = [name for name, t in results.items() if name in reads and first in t
             and t[last].best / max(t[first].best, 0.001) > 1.5]
    for name in dict.fromkeys([slowest, *[w for w in watched if w in reads], *grown]):
        print_plan(services, name, reads[name])


def report(results: dict, sizes: list[int]) -> float:
    """The table of medians; each row's ratio of its largest to its smallest size, by median and by best time."""
    first, last = sizes[0], sizes[-1]
    head = "".join(f"{n // 1000:>8,}k" for n in sizes)
    print(f"\n{'page or job (median ms)':<32}{head}  median best   SQL  slowest statement at {last // 1000:,}k")
    largest = {"median": 0.0, "best": 0.0}
    for name, by_size in results.items():
        if last not in by_size:
            continue
        ratios = {kind: getattr(by_size[last], kind) / max(getattr(by_size[first], kind), 0.001)
                  for kind in largest}
        largest = {kind: max(largest[kind], ratios[kind]) for kind in largest}
        cells = "".join(f"{by_size[n].median:9.1f}" for n in sizes)
        slowest = by_size[last].slowest
        print(f"{name:<32}{cells}  {ratios['median']:5.2f}x {ratios['best']:5.2f}x {by_size[last].count:4d}  "
              f"{slowest[0]:7.1f} ms  {_shown(slowest[1])[:60]}")
    print(f"largest ratio {last:,}/{first:,} orders: {largest['median']:.2f} by medians, {largest['best']:.2f} "
          f"by best times")
    return largest["best"]


def main() -> None:
    opts = options()
    sizes = sorted(int(n) for n in opts.sizes.split(","))
    deadline = time.monotonic() + opts.budget_minutes * 60
    print(machine())
    from app import create_app

    with Stack("growth") as stack:
        now = datetime.now(timezone.utc).replace(microsecond=0)
        app = create_app({"database_url": stack.database_url, "redis_url": stack.redis_url, "env": "development",
                          "instance_path": str(stack.workdir), "notify_tick_seconds": 0,
                          "notify_retention_days": RETENTION_DAYS})
        services = app.extensions["shubbak"]
        people = make_people(services)
        loader = services.engine.connect()
        with loader.begin():
            history.prepare(loader, now, people["bench-agent"])
            add_office_staff(loader)
        recorder = Recorder(services.engine)
        results: dict[str, dict[int, Timing]] = {}
        loaded, measured = 0, []
        for size in sizes:
            if measured and time.monotonic() > deadline:
                print(f"time budget spent: stopping before {size:,} orders")
                break
            started = time.perf_counter()
            grow(services, loader, now, loaded, size)
            loaded = size
            print(f"\n{size:,} orders loaded in {time.perf_counter() - started:.0f} s; {load()}")
            work = {**pages(app, services, now), **periodic_jobs(services)}
            for name, run in work.items():
                results.setdefault(name, {})[size] = measure(run, recorder, opts.repeats)
            with services.engine.connect() as conn:  # before the retention run leaves dead rows behind
                print("\n".join(storage_lines(conn)))
            results.setdefault("job purge_history (retention)", {})[size] = purge_backlog(services, recorder)
            measured.append(size)
        loader.close()
        largest = report(results, measured)
        print_slowest(services, results, measured, WATCHED)
        print(load())
        services.engine.dispose()
    print(f"ratio={largest:.2f}")


if __name__ == "__main__":
    main()
