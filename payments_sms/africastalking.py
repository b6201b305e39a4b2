"""Africa's Talking on-demand premium SMS: a billed reply carrying the incoming linkId (SMS.send_premium)."""
from __future__ import annotations

import logging

import africastalking
import requests

from channels.africastalking_answers import ACCEPTED_CODES, BILL_RETRYABLE_CODES, STATUSES, first_recipient, number
from orders_core.phones import mask_phone

from .errors import BillingError

__all__ = ["AfricasTalkingPremium", "REPORT_STATUSES", "ACCEPTED_CODES", "biller"]

log = logging.getLogger(__name__)

# AT's report words (channels' one table) -> a bill's words: delivered is paid, another final word failed.
REPORT_STATUSES = {word: "succeeded" if ours == "delivered" else "failed" if final else "sent"
                   for word, (ours, final) in STATUSES.items()}


def biller(settings) -> "AfricasTalkingPremium | None":
    """The biller Africa's Talking declares (channels.africastalking.PREMIUM_BILLER): when its credentials are set."""
    if settings.at_username and settings.at_api_key:
        return AfricasTalkingPremium(settings.at_username, settings.at_api_key, settings.premium_retry_hours)
    return None


class AfricasTalkingPremium:
    """Bills through `SMSService.send_premium`; one service object per adapter, no SDK globals."""

    name = "africastalking"
    bills_incoming = False
    statuses = REPORT_STATUSES

    def __init__(self, username: str, api_key: str, retry_hours: int = 0, timeout=(3.05, 9.05)):
        self.sms = africastalking.SMSService(username, api_key)
        self.sdk_error = africastalking.Service.AfricasTalkingException
        self.retry_hours = retry_hours or None
        self.timeout = timeout

    def bill(self, to: str, text: str, short_code: str, keyword: str, link_id: str | None) -> str:
        try:
            answer = self.sms.send_premium(text, short_code, [to], keyword=keyword, link_id=link_id,
                                           retry_duration_in_hours=self.retry_hours, timeout=self.timeout)
        except (requests.ConnectionError, requests.ConnectTimeout) as exc:
            raise BillingError(self.name, f"unreachable: {type(exc).__name__}", retryable=True) from None
        except requests.Timeout:
            # The request may have reached AT: billing again could bill twice, so this is not retried.
            raise BillingError(self.name, "ProviderTimeout", retryable=False) from None
        except self.sdk_error as exc:
            raise BillingError(self.name, f"http error: {str(exc)[:80]}", retryable=True) from None
        recipient = _recipient(answer)
        return self._accepted(recipient, to)

    def _accepted(self, recipient: dict, to: str) -> str:
        code, status = number(recipient.get("statusCode")), str(recipient.get("status") or "unknown")
        message_id = recipient.get("messageId")
        if code in ACCEPTED_CODES and message_id and message_id != "None":
            log.info("AT premium accepted for %s: %s (%s)", mask_phone(to), message_id, code)
            return str(message_id)
        raise BillingError(self.name, status[:40], retryable=code in BILL_RETRYABLE_CODES)


def _recipient(answer) -> dict:
    """The first recipient of a send answer."""
    recipient, data = first_recipient(answer)
    if recipient is None:
        # Accepted or not is unknown: not retried, so that a message AT did take is never billed twice.
        message = data.get("Message") if data else "unreadable answer"
        raise BillingError("africastalking", str(message or "no recipient")[:40], retryable=False)
    return recipient
