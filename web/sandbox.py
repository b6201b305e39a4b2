"""The embedded default's sandbox: without provider credentials, messages go to simulated phones and premium SMS
are billed by a sandbox whose reports come back through the real webhook. Never in production."""
from __future__ import annotations

import requests

from payments_sms.sandbox import SandboxPremiumBiller

from .handset import HandsetSms, HandsetWhatsApp

__all__ = ["premium_biller", "post_webhook", "HandsetSms", "HandsetWhatsApp", "REPORT_PATH"]

REPORT_PATH = "/webhooks/africastalking/sms/delivery"


def premium_biller(services, report_delay: float = 2.0) -> SandboxPremiumBiller:
    """A premium biller whose reports come back through our own webhook, the billed SMS shown on the simulated
    phone (services.handset): the composition root's choice where the simulator is on and no biller configured."""
    handset = services.handset
    return SandboxPremiumBiller(lambda form: post_webhook(services, REPORT_PATH, form), services.redis,
                                lambda to, text, mid: handset.record(to, "sms", "out", "premium", text, mid),
                                delay=report_delay)


def post_webhook(services, path: str, form: dict, headers: dict | None = None) -> int:
    """Post a provider's callback to our own webhook, with the URL key when keys are configured: in-process in
    the web process, over HTTP to the public base URL from a separate worker. The HTTP status."""
    keys = services.settings.at_webhook_keys
    if keys and "africastalking" in path:
        path += ("&" if "?" in path else "?") + "key=" + keys[0]
    app = services.web_app
    if app is not None:
        # The test client runs the real request pipeline in this process: no socket, no port to know.
        return app.test_client().post(path, data=form, headers=headers or {}).status_code
    url = services.settings.public_base_url.rstrip("/") + path
    return requests.post(url, data=form, headers=headers or {}, timeout=10).status_code
