"""Orders placed through the order core's service, in parallel processes: the setup several benchmarks share."""
from __future__ import annotations

import multiprocessing

__all__ = ["services_for", "place_orders", "PHONE"]

PHONE = "+2126{:08d}"  # the n-th benchmark citizen's phone number


def services_for(database_url: str, redis_url: str, **overrides):
    """A composition root on the stack's storage, quiet (warnings only) and without the periodic clock."""
    import bootstrap
    from settings import Settings

    settings = Settings.from_env({}, database_url=database_url, redis_url=redis_url, log_level="WARNING",
                                 notify_tick_seconds=0, **overrides)
    return bootstrap.build(settings)


def _place(urls: tuple[str, str], first: int, count: int, results) -> None:
    from orders_core.services import place_order
    from web.demo import draft

    services = services_for(*urls)
    placed = []
    for n in range(first, first + count):
        order = place_order(services.uow(), services.settings.prices, draft(phone=PHONE.format(n)))
        placed.append((n, order.reference, order.amount_due))
    services.engine.dispose()
    results.put(placed)


def place_orders(urls: tuple[str, str], count: int, processes: int = 2) -> list[tuple[str, int]]:
    """Place `count` orders awaiting payment; return (reference, amount due) in the order of their phones."""
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    per = -(-count // processes)
    procs = [ctx.Process(target=_place, args=(urls, i * per, min(per, count - i * per), results), daemon=True)
             for i in range(processes) if i * per < count]
    for proc in procs:
        proc.start()
    placed = sorted(row for _ in procs for row in results.get(timeout=600))
    for proc in procs:
        proc.join(10)
    return [(reference, due) for _, reference, due in placed]
