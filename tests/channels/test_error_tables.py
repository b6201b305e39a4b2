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


@pytest.mark.parametrize("code", sorted(africastalking.SEND_CODES))
def test_the_premium_biller_retries_only_refusals_africas_talking_may_take_later(code):
    """One table of AT's send codes; the SMS sender hands a refusal to another provider (401, 402, 407), which the
    premium biller cannot: it tries again only AT's own trouble and our balance, and no code the table lacks."""
    from payments_sms.africastalking import AfricasTalkingPremium
    from payments_sms.errors import BillingError

    refused = {"statusCode": code, "status": "Refused", "messageId": "None"}
    with pytest.raises(africastalking.SendError) as sent:
        africastalking.AfricasTalkingSender("sandbox", "key")._result(refused, "+212612345678", "x")
    with pytest.raises(BillingError) as billed:
        AfricasTalkingPremium("sandbox", "key")._accepted(refused, "+212612345678")
    assert sent.value.retryable == (africastalking.SEND_CODES[code] in Outcome.RETRYABLE)
    assert billed.value.retryable == (code in {"405", "500", "501", "502"})


def test_one_table_reads_africas_talking_report_words_for_sms_and_premium():
    from payments_sms.africastalking import REPORT_STATUSES

    ours = {"delivered": "succeeded", "sent": "sent", "queued": "sent"}
    for word, (status, final) in africastalking.STATUSES.items():
        assert REPORT_STATUSES[word] == ours.get(status, "failed" if final else "sent")
