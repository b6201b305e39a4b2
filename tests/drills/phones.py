"""Citizens' phones in the drills: they talk to the app through Africa's Talking's webhooks, as the provider posts."""
from __future__ import annotations

import itertools

__all__ = ["UssdPhone", "SmsPhone", "report", "ORDER_INPUTS", "KEY"]

KEY = "drill-webhook-key-0123456789abcdef"
_numbers = itertools.count(1)
# From the first dial of a new number to the confirmation: the order of tests/dialog/test_ussd_order.py.
ORDER_INPUTS = ("1", "1", "2", "rabat", "1", "1234 1990", "El Amrani, Salma", "1", "Rabat, 12 rue Oued Sebou, Agdal",
                "1")


class UssdPhone:
    """A basic phone in one USSD session; every answer must be a 200 with a screen AT can show."""

    def __init__(self, client, phone: str):
        self.client, self.phone = client, phone
        self.session, self.inputs, self.screens = f"ATUid_drill_{next(_numbers)}", None, []

    def form(self) -> dict:
        return {"sessionId": self.session, "serviceCode": "*123#", "phoneNumber": self.phone,
                "networkCode": "60400", "text": "*".join(self.inputs)}

    def dial(self) -> str:
        self.inputs = []
        return self._post()

    def press(self, *typed: str) -> str:
        """Type each answer in turn; after an END the network has closed the session, so nothing more is sent."""
        answer = ""
        for text in typed:
            self.inputs.append(text)
            answer = self._post()
            if answer.startswith("END "):
                break
        return answer

    def order(self) -> str:
        """A complete order from the first dial; the last screen (END with the reference)."""
        self.dial()
        return self.press(*ORDER_INPUTS)

    @property
    def ended(self) -> bool:
        return bool(self.screens) and self.screens[-1].startswith("END ")

    def _post(self) -> str:
        response = self.client.post(f"/webhooks/africastalking/ussd?key={KEY}", data=self.form())
        screen = response.get_data(as_text=True)
        assert response.status_code == 200, (response.status_code, screen)
        assert screen[:4] in ("CON ", "END ") and 4 < len(screen) <= 182, screen
        self.screens.append(screen)
        return screen


class SmsPhone:
    """A phone texting the short code; each message gets a fresh Africa's Talking id."""

    def __init__(self, client, phone: str):
        self.client, self.phone = client, phone

    def form(self, text: str) -> dict:
        return {"from": self.phone, "to": "1919", "text": text, "date": "2026-11-23 09:00:00",
                "id": f"ATXid_drill_{next(_numbers)}", "linkId": f"link-{next(_numbers)}", "networkCode": "60400"}

    def send(self, text: str):
        return post_sms(self.client, self.form(text))


def post_sms(client, form: dict):
    return client.post(f"/webhooks/africastalking/sms?key={KEY}", data=form)


def report(client, message_id: str, phone: str, status: str = "Success"):
    """Africa's Talking's delivery report of a (billed) message."""
    form = {"id": message_id, "status": status, "phoneNumber": phone, "networkCode": "60400",
            "failureReason": "", "retryCount": "0"}
    return client.post(f"/webhooks/africastalking/sms/delivery?key={KEY}", data=form)
