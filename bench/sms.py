"""Inbound SMS with deduplication: Africa's Talking's SMS callback, complete conversations, against the baseline.

    .venv/bin/python -m bench.sms [--sessions 32] [--seconds 15] [--think 0.2] [--answer-seconds 8]

Each session is a citizen ordering by SMS from a new number (COMMANDE, then one answer per message, as in
tests/dialog/test_sms_order.py), every message with its own Africa's Talking `id`; every fourth message is posted
twice, as AT does when it retries, and the copy must be acknowledged without being queued again. The webhook
only checks, deduplicates and queues the message (the answer is an RQ job): that is what the phases measure,
against the baseline endpoint fed the same forms. Afterwards one RQ worker answers queued messages for
`--answer-seconds` (dialog, stored reply, null sender), to show how many answers a worker gives per second.
"""
from __future__ import annotations

from .load import Step
from .notifications import drain
from .orders import PHONE
from .stack import AT_KEY
from .webrun import WebBenchmark, options, run

__all__ = ["order_flow", "baseline_flow", "MESSAGES", "BENCH"]

PATH = f"/webhooks/africastalking/sms?key={AT_KEY}"
MESSAGES = ("COMMANDE", "2", "Rabat", "1", "1234 1990", "El Amrani, Salma", "1", "Rabat, 12 rue Oued Sebou, Agdal",
            "1")
REPEATED = 4  # every fourth message arrives twice


def _steps(n: int, path: str):
    for index, text in enumerate(MESSAGES):
        form = {"from": PHONE.format(n), "to": "1919", "text": text, "date": "2026-11-23 09:00:00",
                "id": f"ATXid_bench_{n}_{index}", "networkCode": "60400"}
        yield Step(f"message {index + 1}", path, form)
        if index % REPEATED == REPEATED - 1:
            yield Step(f"message {index + 1} again", path, form)


def order_flow(n: int):
    """One citizen's SMS order, with AT's retries: every message posted once, every fourth twice."""
    for step in _steps(n, PATH):
        yield step


def baseline_flow(n: int):
    """The same forms to the baseline endpoint."""
    for step in _steps(n, "/bench/baseline"):
        yield step


def _labels() -> tuple[str, ...]:
    return tuple(step.label for step in _steps(0, ""))


BENCH = WebBenchmark("sms", "bench.sms:order_flow", "bench.sms:baseline_flow", _labels(), unit="messages",
                     per_step=False)


def answers(seconds: float):
    """After the phases: one worker of each kind answers queued messages for `seconds`; print its rate."""
    def after(stack) -> None:
        queued = stack.redis().llen("rq:queue:high")
        for worker in ("simple", "preforked"):
            result = drain(stack, worker, seconds)
            print(f"answering queued SMS ({worker} worker): {result['jobs'] / result['seconds']:.1f} jobs/s "
                  f"({result['jobs']} jobs: answer_sms and send_sms, null sender; {queued} messages were queued)")
    return after


def _more(parser) -> None:
    parser.add_argument("--answer-seconds", type=float, default=8,
                        help="how long each worker kind answers queued messages (default 8)")
    # The citizen waits on the worker's answer, not on the webhook: one paced phase is enough here.
    parser.set_defaults(think=[0.2])


if __name__ == "__main__":
    args = options(__doc__.splitlines()[0], _more)
    run(BENCH, args, after=answers(args.answer_seconds))
