"""Logging that never writes a whole phone number, a card PIN or a secret."""
from __future__ import annotations

import logging

from channels import registry
from orders_core.phones import mask_phones_in
from orders_core.redaction import redact_pins_in

__all__ = ["RedactingFilter", "QuietRq", "configure_logging"]


class RedactingFilter(logging.Filter):
    """Rewrite each record's message with phone numbers masked and known secrets replaced."""

    def __init__(self, secrets=()):
        super().__init__()
        self.secrets = tuple(s for s in secrets if s and len(s) >= 6)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        for secret in self.secrets:
            message = message.replace(secret, "[redacted]")
        # PINs first: the phone mask would keep a PIN's first five and last four digits.
        record.msg, record.args = mask_phones_in(redact_pins_in(message)), None
        return True


class QuietRq(logging.Filter):
    """RQ's INFO lines (a job taken, done, its result kept; a burst worker started and stopped) are written at DEBUG:
    shown only when the configured level is DEBUG. RQ's warnings and errors, and every line of ours, are untouched.

    A handler filter, not a logger level: RQ sets its loggers' levels itself each time a worker starts."""

    def __init__(self, level: int | str = logging.INFO):
        super().__init__()
        self.level = logging.getLevelName(level) if isinstance(level, str) else level

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO and (record.name == "rq" or record.name.startswith("rq.")):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return self.level <= logging.DEBUG
        return True


def configure_logging(settings) -> RedactingFilter:
    """Install the redacting filter on the root logger's handlers (and on new ones via the root logger)."""
    secrets = (*registry.secrets(settings), settings.secret_key, settings.card_pin_secret)
    redactor = RedactingFilter(secrets)
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    quiet = QuietRq(settings.log_level.upper())
    for handler in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(redactor)
        if not any(isinstance(f, QuietRq) for f in handler.filters):
            handler.addFilter(quiet)
    return redactor
