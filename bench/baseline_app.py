"""The benchmarks' baseline: a route of the same app that parses the form and does one Redis GET and one SET.

Registered only when SHUBBAK_BENCH=1 (see app.py), so it never exists in a deployment. It is the floor a webhook
cannot go below on this machine: Flask, gunicorn, form parsing and two Redis round trips, and nothing else.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, request

__all__ = ["bp", "register", "TTL_SECONDS"]

bp = Blueprint("bench_baseline", __name__)
TTL_SECONDS = 180  # as long as an Africa's Talking USSD session may last


@bp.post("/bench/baseline")
def baseline():
    """Read the session the form names, store the new input with an expiry, answer a fixed screen."""
    form = request.form
    key = "bench:session:" + (form.get("sessionId") or form.get("id") or "")
    redis = current_app.extensions["shubbak"].redis
    previous = redis.get(key) or b""
    redis.set(key, previous[-200:] + b"*" + form.get("text", "").encode(), ex=TTL_SECONDS)
    return Response("CON Baseline\n1. One\n2. Two", mimetype="text/plain")


def register(app) -> None:
    """Add the baseline route (exempt from the staff view's CSRF check by its blueprint name, as the webhooks are)."""
    app.register_blueprint(bp)
