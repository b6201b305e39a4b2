"""Which numbers can take an SMS (libphonenumber's number types), and numbers typed the national way abroad."""
import pytest

from orders_core.errors import InvalidInput
from orders_core.phones import number_kind, sms_capable, sms_phone, typed_phone


@pytest.mark.parametrize(("number", "kind", "capable"), [
    ("+212612345678", "mobile", True), ("+212712345678", "mobile", True),
    ("+212522123456", "fixed_line", False), ("+212537123456", "fixed_line", False),  # 05...: Moroccan fixed lines
    ("+212808123456", "voip", False), ("+212800123456", "toll_free", False),          # 08...
    ("+33612345678", "mobile", True), ("+33123456789", "fixed_line", False),
    ("+14155551234", "fixed_or_mobile", True),  # the US plan cannot tell: the provider's answer will
])
def test_a_number_s_kind_says_whether_an_sms_can_reach_it(number, kind, capable):
    assert (number_kind(number), sms_capable(number)) == (kind, capable)


@pytest.mark.parametrize("typed", ["05 22 12 34 56", "0808123456", "+212 5 37 12 34 56"])
def test_a_number_that_cannot_take_an_sms_is_refused_with_a_clear_reason(typed):
    with pytest.raises(InvalidInput) as refused:
        sms_phone(typed, field="phone")
    reason = refused.value.problems["phone"]
    assert "cannot receive SMS" in reason and "mobile" in reason and typed.replace(" ", "")[-6:] not in reason


def test_a_mobile_number_is_accepted_for_sms_in_any_usual_form():
    assert sms_phone("06 12 34 56 78") == sms_phone("+212612345678") == "+212612345678"


@pytest.mark.parametrize(("typed", "sender", "expected"), [
    ("06 12 34 56 78", "+33612345678", "+33612345678"),    # a Moroccan in France types the French way
    ("0612345678", "+212612345678", "+212612345678"),
    ("0612345678", None, "+212612345678"),                 # no sender: Morocco
    ("0470 12 34 56", "+32470999999", "+32470123456"),     # Belgium reads its own national form
    ("+212612345678", "+33612345678", "+212612345678"),    # an international form is what it says
])
def test_a_number_typed_the_national_way_is_read_in_the_country_of_the_sender(typed, sender, expected):
    assert typed_phone(typed, sender) == expected
