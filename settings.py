"""Configuration from the environment (DATABASE_URL, REDIS_URL, SHUBBAK_*), with an embedded default for all of it."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from channels.ussd import ScreenSize
from orders_core.pricing import PriceList

__all__ = ["Settings", "ConfigError", "KNOWN_DEFAULTS", "SECRET_LENGTH"]

PREFIX = "SHUBBAK_"


class ConfigError(RuntimeError):
    """The configuration cannot work (a production setting missing, a value of the wrong kind)."""


def _keys(value: str) -> tuple[str, ...]:
    return tuple(k.strip() for k in (value or "").split(",") if k.strip())


@dataclass(frozen=True)
class Settings:
    """Every setting of the service. Field `x` is read from SHUBBAK_X (DATABASE_URL and REDIS_URL unprefixed)."""

    env: str = "development"
    instance_path: str = "instance"
    database_url: str = ""
    # PostgreSQL statements prepared on the server by psycopg (any run 5 times on a connection; the card payment's
    # writes at once): "off" behind a transaction pooler that keeps no prepared statements across server
    # connections (PgBouncer before 1.22, or without max_prepared_statements: 0 by default before 1.24).
    db_prepared_statements: str = "on"
    redis_url: str = ""
    secret_key: str = ""
    public_base_url: str = "http://localhost:5000"
    # Prices, integer centimes.
    fee_base: int = 1000
    fee_extract: int = 500
    fee_full_copy: int = 500
    postage_ma: int = 500
    postage_abroad: int = 3000
    minimum_order: int = 2000
    # Africa's Talking: webhook keys (comma-separated, two during a rotation), API credentials.
    at_webhook_keys: tuple = ()
    at_username: str = ""
    at_api_key: str = ""
    at_sender_id: str = ""
    at_ussd_code: str = "*123#"
    at_short_code: str = "1919"
    # Twilio.
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_sms_from: str = ""
    twilio_whatsapp_from: str = ""
    twilio_templates: dict = field(default_factory=dict)  # JSON: {"kind.lang": "HX..."}
    # Kannel (channels.kannel): smsbox's sendsms URL (http://127.0.0.1:13013/cgi-bin/sendsms), its sendsms-user,
    # our short code, the callbacks' keys (comma-separated, two during a rotation), optionally the smsc-id to send
    # through and the delivery reports asked for (31: every state). Unset: no Kannel sender, every callback refused.
    kannel_sendsms_url: str = ""
    kannel_username: str = ""
    kannel_password: str = ""
    kannel_from: str = ""
    kannel_webhook_keys: tuple = ()
    kannel_smsc: str = ""
    kannel_dlr_mask: int = 31
    # Which SMS providers to try, in order (console is the embedded default).
    sms_providers: tuple = ("console",)
    premium_price_point: int = 1000
    # Premium short codes, JSON: {"1919": {"price": 1000, "keywords": ["PAY", "PAYER"]}}; empty: at_short_code at
    # premium_price_point. premium_retry_hours asks the provider to retry billing (0: do not ask).
    premium_short_codes: dict = field(default_factory=dict)
    premium_retry_hours: int = 0
    card_pin_secret: str = ""
    card_validity_days: int = 730
    # Wrong card PINs across all numbers within card_alarm_minutes that raise an alarm in the logs.
    card_alarm_failures: int = 100
    card_alarm_minutes: int = 10
    nlu_url: str = ""
    nlu_timeout: float = 0.8
    quiet_hours: str = "21:00-08:00"
    timezone: str = "Africa/Casablanca"
    session_idle_minutes: int = 30
    # Notifications: periodic tick (0 = no periodic work in this process), send retries per provider (seconds,
    # growing), how long a send may take before it counts as abandoned, when an outbox row counts as stuck.
    notify_tick_seconds: int = 5
    notify_retry_delays: tuple = ("30", "120", "600")
    notify_send_lease_seconds: int = 120
    notify_stuck_seconds: int = 300
    # Outbox rows done and messages settled (sent, delivered, failed...) this many days ago are deleted (0: kept).
    notify_retention_days: int = 30
    # Callbacks acknowledged and stored (channels.inbox): one queued this long ago and not done is queued again.
    inbox_stuck_seconds: int = 300
    agent_digest_minutes: int = 15
    late_report_at: str = "08:30"  # local time of the supervisors' daily SMS of late orders
    # Staff login lock-out: this many failed logins on one account from one address lock that pair this long.
    staff_lockout_failures: int = 5
    staff_lockout_minutes: int = 15
    log_level: str = "INFO"
    # The phone simulator (web/simulator.py): served only when this is 1 (`./dev run` sets it), never in production.
    simulator: str = ""
    # Rate limits (Flask-Limiter, in Redis; in memory on the embedded default). "N per minute" forms, `;`-separated.
    login_limit: str = "10 per minute;60 per hour"  # staff logins per client address
    # An account with this many failed logins within the lock-out window, from any address, is slowed down to
    # login_slow_limit (never locked: a stranger must not lock the admin out); each address is locked on its own.
    login_account_failures: int = 20
    login_slow_limit: str = "1 per 5 seconds"
    webhook_phone_limit: str = "60 per minute"  # incoming messages and USSD steps per phone number
    simulator_limit: str = "30 per minute"  # simulator requests per client address
    # Agents' SMS commands: a proven agent number may act for this long after its code was sent.
    agent_code_hours: int = 4
    # Message texts, inbox payloads and conversation transcripts older than this are purged (days).
    retention_days: int = 90
    # One USSD screen (160 octets): GSM-7 characters (extension characters count two), or UCS-2 characters when
    # any character is outside GSM-7 (Arabic). Some networks allow less.
    ussd_gsm7_chars: int = 182
    ussd_ucs2_chars: int = 80

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def embedded_database(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def db_prepare_threshold(self) -> int | None:
        """psycopg's `prepare_threshold`: its default (5 runs), or None, which prepares nothing."""
        return None if self.db_prepared_statements == "off" else 5

    @property
    def embedded_redis(self) -> bool:
        return not self.redis_url

    @property
    def ussd_size(self) -> ScreenSize:
        return ScreenSize(self.ussd_gsm7_chars, self.ussd_ucs2_chars)

    @property
    def prices(self) -> PriceList:
        return PriceList(self.fee_base, {"extract": self.fee_extract, "full_copy": self.fee_full_copy},
                         {"MA": self.postage_ma, "abroad": self.postage_abroad}, self.minimum_order)

    @classmethod
    def from_env(cls, environ=None, **overrides) -> "Settings":
        """Read the environment, fill the embedded defaults, apply overrides (tests), check for production."""
        environ = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            name = _env_name(f.name)
            if name in environ:
                values[f.name] = _convert(f, environ[name])
        settings = replace(cls(), **values)
        settings = replace(settings, **overrides)
        if settings.db_prepared_statements not in ("on", "off"):
            raise ConfigError(f"SHUBBAK_DB_PREPARED_STATEMENTS: on or off, not {settings.db_prepared_statements!r}")
        return settings.with_embedded_defaults().checked()

    def with_embedded_defaults(self) -> "Settings":
        database_url = self.database_url or f"sqlite:///{Path(self.instance_path).resolve() / 'shubbak.sqlite3'}"
        secret_key = self.secret_key or "embedded-development-key-not-for-production"
        pin_secret = self.card_pin_secret or "embedded-card-pin-secret-not-for-production"
        return replace(self, database_url=database_url, secret_key=secret_key, card_pin_secret=pin_secret)

    @property
    def simulator_enabled(self) -> bool:
        return self.simulator == "1" and not self.production

    def checked(self) -> "Settings":
        """Refuse a production configuration that lacks its secrets or holds weak ones, naming each variable."""
        if not self.production:
            return self
        problems = [f"{name}: {rule}" for name, rule in _production_problems(self)]
        if problems:
            raise ConfigError("production refuses this configuration: " + "; ".join(problems))
        return self


SECRET_LENGTH = 32
# Values seen in this repository's defaults and documentation: a secret equal to one is no secret.
KNOWN_DEFAULTS = frozenset({
    "embedded-development-key-not-for-production", "embedded-card-pin-secret-not-for-production", "dev", "secret",
    "changeme", "change-me", "x", "1", "shubbak", "shubbak-demo", "at-api-key-for-tests",
})


def _secrets_of(settings: Settings) -> list[tuple[str, str]]:
    """The production secrets by variable name (each webhook key on its own)."""
    named = [("SHUBBAK_SECRET_KEY", settings.secret_key), ("SHUBBAK_CARD_PIN_SECRET", settings.card_pin_secret),
             ("SHUBBAK_TWILIO_AUTH_TOKEN", settings.twilio_auth_token)]
    return (named + [("SHUBBAK_AT_WEBHOOK_KEYS", key) for key in settings.at_webhook_keys]
            + [("SHUBBAK_KANNEL_WEBHOOK_KEYS", key) for key in settings.kannel_webhook_keys])


def _production_problems(settings: Settings):
    """(variable, rule) for everything production refuses."""
    for name, missing in (
            ("SHUBBAK_SECRET_KEY", settings.secret_key.startswith("embedded")),
            ("SHUBBAK_CARD_PIN_SECRET", settings.card_pin_secret.startswith("embedded")),
            ("SHUBBAK_AT_WEBHOOK_KEYS", not settings.at_webhook_keys),
            ("SHUBBAK_TWILIO_AUTH_TOKEN", not settings.twilio_auth_token),
            ("DATABASE_URL", settings.embedded_database), ("REDIS_URL", settings.embedded_redis)):
        if missing:
            yield name, "must be set"
    seen: dict[str, str] = {}
    for name, value in _secrets_of(settings):
        if not value or value.startswith("embedded-"):
            continue
        if value.lower() in KNOWN_DEFAULTS:
            yield name, "is a known default value"
        elif len(value) < SECRET_LENGTH:
            yield name, f"needs at least {SECRET_LENGTH} characters (webhook keys: at least 128 bits)"
        if value in seen and seen[value] != name:
            yield name, f"must differ from {seen[value]} (one value per secret)"
        seen.setdefault(value, name)
    if not settings.public_base_url.lower().startswith("https://"):
        yield "SHUBBAK_PUBLIC_BASE_URL", "must be an https:// URL"
    if settings.simulator == "1":
        yield "SHUBBAK_SIMULATOR", "the phone simulator is refused in production"


def _env_name(field_name: str) -> str:
    return field_name.upper() if field_name in ("database_url", "redis_url") else PREFIX + field_name.upper()


def _convert(f, raw: str):
    kind = f.type if isinstance(f.type, str) else f.type.__name__
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "tuple":
            return _keys(raw)
        if kind == "dict":
            return json.loads(raw or "{}")
    except ValueError as exc:
        raise ConfigError(f"{_env_name(f.name)}: {exc}") from None
    return raw
