"""Errors turned into HTTP answers at the edge: JSON for machines, never a 500 page for bad input."""
from __future__ import annotations

import logging

from flask import jsonify
from redis.exceptions import ConnectionError as RedisConnectionError, TimeoutError as RedisTimeoutError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from orders_core.errors import InvalidInput, NotAllowed, NotFound, ShubbakError

log = logging.getLogger(__name__)
_STATUS = ((InvalidInput, 400), (NotFound, 404), (NotAllowed, 403), (ShubbakError, 409))


def register(app) -> None:
    @app.errorhandler(ShubbakError)
    def domain_error(exc):
        status = next(code for cls, code in _STATUS if isinstance(exc, cls))
        body = {"error": exc.code, "message": str(exc)}
        if isinstance(exc, InvalidInput):
            body["fields"] = exc.problems
        return jsonify(body), status

    @app.errorhandler(OperationalError)
    def database_down(exc):
        log.error("database unavailable: %s", type(exc.orig).__name__ if exc.orig else "OperationalError")
        return jsonify(error="unavailable", message="the service is briefly unavailable, try again"), 503

    @app.errorhandler(RedisConnectionError)
    @app.errorhandler(RedisTimeoutError)
    def redis_down(exc):
        log.error("redis unavailable: %s", type(exc).__name__)
        return jsonify(error="unavailable", message="the service is briefly unavailable, try again"), 503

    @app.errorhandler(HTTPException)
    def http_error(exc):
        if exc.response is not None:  # an answer made for the case (a rate limit's USSD screen or login page)
            return exc.response
        return jsonify(error=exc.name.lower().replace(" ", "_"), message=exc.description), exc.code
