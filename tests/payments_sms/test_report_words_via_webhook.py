"""Africa's Talking's status words in any case, through the real delivery-report webhook: a lowercase `success`
counts as charged (it used to be stored with no status and never counted)."""
import pytest

from app import create_app
from tests.channels.harness import ENDPOINTS, guarded, post, secured  # noqa: F401 (fixture)

from .test_premium import charges, pay_by_sms, place

AT_DELIVERY = next(e for e in ENDPOINTS if e.name == "at-delivery")


@pytest.mark.parametrize("word", ["Success", "success", "SUCCESS", " success "])
def test_a_final_success_in_any_case_charges(services, at_premium, short_code, word):
    client = create_app({"services": secured(services)}).test_client()
    pay_by_sms(services, short_code, place(services, lines={"extract": 1}))
    form = {**AT_DELIVERY.form(), "id": "ATPid_1", "status": word}
    assert post(client, AT_DELIVERY, form).status_code == 200
    services.drain()
    assert charges(services)[0][:2] == (1, "succeeded")
