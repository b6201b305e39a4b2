"""The periodic clock: each periodic job at most once per time slot whatever the number of workers, a tick
chain that schedules its next beat first, and a chain that (re)starts only when none is alive."""
import time
from dataclasses import replace

from rq import Queue
from rq.registry import ScheduledJobRegistry

from jobs import clock as jobs
from jobs.notifications import expire_orders
from orders_core.services import place_order
from web.demo import draft


def queued(services) -> list[str]:
    return [job.func_name.rsplit(".", 1)[-1] for name in ("high", "default", "low")
            for job in Queue(name, connection=services.redis).jobs]


def test_each_periodic_job_starts_once_per_slot_however_many_processes_tick(services):
    now = float(int(time.time()))  # both in one second: a run straddling a second's boundary began the 1 s job twice
    first = jobs.run_due(services, now)
    second = jobs.run_due(services, now + 0.5)  # another worker ticking in the same second
    assert sorted(first) == sorted(job.__name__ for job, _, _ in jobs.PERIODIC)
    assert second == []
    assert sorted(queued(services)) == sorted(first)


def test_a_tick_schedules_the_next_tick_before_its_work(services):
    started = jobs.tick()
    scheduled = ScheduledJobRegistry("high", connection=services.redis).get_job_ids()
    assert len(scheduled) == 1 and scheduled[0].startswith("shubbak-tick-")
    assert "dispatch_outbox" in started


def test_the_clock_is_started_once_and_not_again_while_it_ticks(services):
    every = services.settings.notify_tick_seconds
    assert jobs.ensure_clock(services.redis, every) is True
    assert jobs.ensure_clock(services.redis, every) is False
    assert queued(services) == [] and len(ScheduledJobRegistry("high", connection=services.redis)) == 1


def test_no_clock_when_the_tick_is_switched_off(services):
    assert jobs.ensure_clock(services.redis, 0) is False


def test_a_web_or_worker_process_on_real_redis_starts_the_clock_when_wired(services):
    services.settings = replace(services.settings, env="production", redis_url="redis://redis.example:6379/0")
    jobs.start(services)
    assert services.redis.exists(jobs.CLOCK_KEY)


def test_tests_get_no_clock_of_their_own(services):
    jobs.start(services)  # env "test": periodic work runs only when a test asks for it
    assert not services.redis.exists(jobs.CLOCK_KEY)


def test_expiry_of_unpaid_orders_runs_as_periodic_work(services, clock):
    place_order(services.uow(), services.settings.prices, draft())
    clock.advance(hours=73)
    assert expire_orders() == 1
