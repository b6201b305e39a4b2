"""The embedded default's sandbox: without provider credentials, messages go to simulated phones and premium SMS
are billed by a sandbox whose reports come back through the real webhook. Never in production."""
from __future__ import annotations

import requests

from channels.registry import build_senders
from channels.whatsapp import WhatsAppSender
from payments_sms.sandbox import SandboxPremiumBiller
from payments_sms.wiring import ADAPTER as PREMIUM

from .handset import Handset, HandsetSms, HandsetWhatsApp

__all__ = ["install", "handset_of", "post_webhook", "REPORT_PATH"]

REPORT_PATH = "/webhooks/africastalking/sms/delivery"
APP = "flask_app"  # the web process's app, set by the simulator: webhooks are then posted in-process


def handset_of(services) -> Handset:
    if "handset" not in services.adapters:
        services.adapters["handset"] = Handset(services.engine, services.clock)
    return services.adapters["handset"]


def install(services, report_delay: float = 2.0) -> None:
    """Put the sandbox in place of each default (console) adapter; real providers' adapters are left alone."""
    settings = services.settings
    # A sandbox that "bills" premium SMS would let orders be paid for nothing: only where the simulator is on
    # (SHUBBAK_SIMULATOR, which `./dev run` sets; never in production).
    if not settings.simulator_enabled:
        return
    handset = handset_of(services)
    senders = build_senders(settings)
    if "console" in senders:
        senders["console"] = HandsetSms(handset)
    services.adapters.setdefault("sms_senders", senders)
    if WhatsAppSender.from_settings(settings) is None:
        services.adapters.setdefault("whatsapp_sender", HandsetWhatsApp(handset))
    if not (settings.at_username and settings.at_api_key):
        biller = SandboxPremiumBiller(lambda form: post_webhook(services, REPORT_PATH, form), services.redis,
                                      lambda to, text, mid: handset.record(to, "sms", "out", "premium", text, mid),
                                      delay=report_delay)
        services.adapters.setdefault(PREMIUM, biller)


def post_webhook(services, path: str, form: dict, headers: dict | None = None) -> int:
    """Post a provider's callback to our own webhook, with the URL key when keys are configured: in-process in
    the web process, over HTTP to the public base URL from a separate worker. The HTTP status."""
    keys = services.settings.at_webhook_keys
    if keys and "africastalking" in path:
        path += ("&" if "?" in path else "?") + "key=" + keys[0]
    app = services.adapters.get(APP)
    if app is not None:
        # The test client runs the real request pipeline in this process: no socket, no port to know.
        return app.test_client().post(path, data=form, headers=headers or {}).status_code
    url = services.settings.public_base_url.rstrip("/") + path
    return requests.post(url, data=form, headers=headers or {}, timeout=10).status_code
