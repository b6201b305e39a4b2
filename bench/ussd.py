"""USSD: many concurrent sessions, each a complete order, through Africa's Talking's callback, against the baseline.

    .venv/bin/python -m bench.ussd [--sessions 32] [--seconds 15] [--think 1.0 0.2] [--workers 2] [--threads 4]

Each session dials from a new number, as Africa's Talking posts it (the whole path in `text`): French, order,
two extracts, office found by typing "rabat", act and year, the holder, self, delivery in Morocco, confirm; the
last screen is the `END` with the order's reference. The baseline posts the same forms, as many steps per
session, to the bench endpoint (form parsing, one Redis GET and one SET with expiry). Phases on one gunicorn:
the baseline back to back, the flow back to back (their rates give the ratio), then the flow paced, each session
pausing a mean of `--think` seconds between steps (the latency a citizen sees when the service is busy but not
saturated; people take seconds per screen, so even 1 s is a brisk pace).
"""
from __future__ import annotations

from .load import Step
from .orders import PHONE
from .stack import AT_KEY
from .webrun import WebBenchmark, options, run

__all__ = ["order_flow", "baseline_flow", "INPUTS", "BENCH"]

PATH = f"/webhooks/africastalking/ussd?key={AT_KEY}"
# (what the citizen types, what the step is): the same order as tests/dialog/test_ussd_order.py.
INPUTS = (("", "dial"), ("1", "language"), ("1", "menu: order"), ("2", "document and copies"),
          ("rabat", "office search"), ("1", "office"), ("1234 1990", "act number and year"),
          ("El Amrani, Salma", "holder's names"), ("1", "relation"), ("Rabat, 12 rue Oued Sebou, Agdal", "address"),
          ("1", "confirm"))


def _steps(n: int, path: str, last: str):
    typed = []
    for index, (text, label) in enumerate(INPUTS):
        if index:
            typed.append(text)
        form = {"sessionId": f"ATUid_bench_{n}", "serviceCode": "*123#", "phoneNumber": PHONE.format(n),
                "networkCode": "60400", "text": "*".join(typed)}
        yield Step(label, path, form, last if index == len(INPUTS) - 1 else "CON ")


def order_flow(n: int):
    """One citizen's complete USSD order (the last screen is `END` with the reference)."""
    for step in _steps(n, PATH, "END "):
        yield step


def baseline_flow(n: int):
    """The same forms to the baseline endpoint."""
    for step in _steps(n, "/bench/baseline", "CON "):
        yield step


BENCH = WebBenchmark("ussd", "bench.ussd:order_flow", "bench.ussd:baseline_flow",
                     tuple(label for _, label in INPUTS))

if __name__ == "__main__":
    run(BENCH, options(__doc__.splitlines()[0]))
