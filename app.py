"""The Flask application factory: `flask --app app run`, `gunicorn 'app:create_app()'`."""
from __future__ import annotations

import logging
import os

from flask import Flask
from flask.sessions import SecureCookieSessionInterface

import bootstrap
from logs import configure_logging
from settings import Settings
from web import cli, errors, health, limits

log = logging.getLogger("shubbak")


def create_app(config: dict | None = None) -> Flask:
    """Build the app from the environment; `config` overrides settings (tests) by field name."""
    app = Flask(__name__, instance_relative_config=True)
    overrides = dict(config or {})
    services = overrides.pop("services", None)
    if "SHUBBAK_INSTANCE_PATH" not in os.environ:
        overrides.setdefault("instance_path", app.instance_path)
    settings = services.settings if services else Settings.from_env(**overrides)
    app.instance_path = settings.instance_path
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(SECRET_KEY=settings.secret_key, TESTING=settings.env == "test")
    app.session_interface = _NoSessionForWebhooks()
    configure_logging(settings)
    _warn_if_open(settings)
    services = services or bootstrap.build(settings)
    bootstrap.install(services)
    app.extensions["shubbak"] = services
    errors.register(app)
    app.register_blueprint(health.bp)
    cli.register(app)
    _register_optional_blueprints(app)
    limits.install(app)  # after the blueprints: it puts the limits on their views
    if settings.env != "test":
        services.start_inprocess_worker()
        from jobs import clock  # an entry point: the periodic clock's thread (embedded) or tick chain
        clock.start(services)
    return app


class _NoSessionForWebhooks(SecureCookieSessionInterface):
    """Provider callbacks carry no cookie and keep nothing in one: they get Flask's null session at once, without
    the signing serializer made and the cookie looked for on every USSD step (the staff view's session as before)."""

    def open_session(self, app: Flask, request):
        if request.path.startswith("/webhooks/"):
            return self.make_null_session(app)
        return super().open_session(app, request)


def _register_optional_blueprints(app: Flask) -> None:
    """Blueprints of the channel, simulator and staff packages, registered here as they land."""
    from web import simulator, webhooks  # provider callbacks at /webhooks; the phone simulator when opted in
    webhooks.register(app)
    simulator.register(app)
    from payments_sms.cli import register as register_payment_commands  # flask reconcile, flask cards ...
    register_payment_commands(app)
    from staff.web import register as register_staff_view  # the staff view at /staff, and CSRF on every form
    register_staff_view(app)
    if os.environ.get("SHUBBAK_BENCH") == "1":  # benchmarks only: bench/baseline_app.py, never in a deployment
        from bench.baseline_app import register as register_bench_baseline
        register_bench_baseline(app)


def _warn_if_open(settings: Settings) -> None:
    if not settings.at_webhook_keys or not settings.twilio_auth_token:
        log.warning("webhooks accept unauthenticated requests: set SHUBBAK_AT_WEBHOOK_KEYS and "
                    "SHUBBAK_TWILIO_AUTH_TOKEN (embedded default only; production refuses to start without them)")
