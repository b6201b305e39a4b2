"""Each provider's error table: every code the issue and PROVIDERS.md list is classified, once, in its module."""
import logging

import pytest

from channels import africastalking, twilio
from channels.delivery import Outcome, classify, forget_unknown_codes

TWILIO = {
    "21211": Outcome.PERMANENT, "21408": Outcome.OTHER_PROVIDER, "21610": Outcome.OPTED_OUT,
    "21614": Outcome.NOT_SMS_CAPABLE, "30003": Outcome.RETRY, "30004": Outcome.PERMANENT,
    "30005": Outcome.PERMANENT, "30006": Outcome.NOT_SMS_CAPABLE, "30007": Outcome.OTHER_PROVIDER,
    "30008": Outcome.RETRY, "63016": Outcome.OUTSIDE_WINDOW, "63018": Outcome.RETRY, "63024": Outcome.PERMANENT,
}
AFRICAS_TALKING = {
    "InsufficientCredit": Outcome.PERMANENT, "InvalidLinkId": Outcome.PERMANENT, "UserIsInactive": Outcome.PERMANENT,
    "UserInBlackList": Outcome.OPTED_OUT, "UserAccountSuspended": Outcome.PERMANENT,
    "NotNetworkSubcriber": Outcome.OTHER_PROVIDER, "UserNotSubscribedToProduct": Outcome.PERMANENT,
    "UserDoesNotExist": Outcome.PERMANENT, "DeliveryFailure": Outcome.RETRY,
}


@pytest.mark.parametrize(("code", "outcome"), TWILIO.items())
def test_twilio_codes_are_classified(code, outcome):
    assert twilio.outcome_of(code) == outcome == twilio.ERRORS[code]


@pytest.mark.parametrize(("reason", "outcome"), AFRICAS_TALKING.items())
def test_africas_talking_failure_reasons_are_classified(reason, outcome):
    assert africastalking.status({"id": "ATXid_1", "status": "Failed", "failureReason": reason}).outcome == outcome


def test_every_table_speaks_only_our_outcomes():
    tables = (twilio.ERRORS, africastalking.FAILURES, africastalking.SEND_CODES)
    assert {outcome for table in tables for outcome in table.values()} <= Outcome.ALL


def test_an_unknown_code_is_logged_once_and_retryable(caplog):
    forget_unknown_codes()
    caplog.set_level(logging.WARNING, logger="channels.delivery")
    assert [classify(twilio.ERRORS, "twilio", "12345") for _ in range(3)] == [Outcome.UNKNOWN] * 3
    assert len([r for r in caplog.records if "12345" in r.getMessage()]) == 1
    assert Outcome.UNKNOWN in Outcome.RETRYABLE and classify(twilio.ERRORS, "twilio", None) is None
