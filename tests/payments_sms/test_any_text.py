"""Any text at every step of the pay flow, on USSD and SMS: never an exception or a failed job, USSD screens fit,
and nothing is paid or billed by text that is not a PIN or a yes."""

from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import func, select

from dialog.flows.pay import YES
from orders_core.model import Payment
from orders_core.textfold import fold
from tests.dialog.test_any_text import LONG_TEXT, NASTY, any_text_at_each_ussd_step
from tests.dialog.test_any_text import snapshots as dialog_snapshots

from .conftest import place
from .test_conversations import PHONE, guarded, phone  # noqa: F401 - fixtures used by name

FEW = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
PAY_STEPS = {("pay", "which"), ("pay", "reference"), ("pay", "method"), ("pay", "pin"), ("pay", "confirm")}


def snapshots(services, prefix: str, paths: dict | None = None) -> dict:
    """The stored sessions of the pay flow, by the step they are at (with their USSD path, from `paths`)."""
    return dialog_snapshots(services, prefix, flow="pay", paths=paths)


def nothing_paid(services) -> bool:
    with services.uow() as uow:
        return uow.scalar(select(func.count()).select_from(Payment)) == 0


def test_any_text_at_any_ussd_pay_step(phone, services, make_batch):
    order, steps, paths = place(services), {}, {}
    make_batch()
    for walk in (("1", "4", "1", "1"), ("1", "4", "1", "2")):
        phone.session = f"ATUid_any_{len(walk)}_{walk[-1]}"
        for n in range(len(walk) + 1):
            phone.dial(*walk[:n])
            paths[phone.session] = "*".join(walk[:n])
            steps.update(snapshots(services, "shubbak:dialog:ussd:", paths))
    assert set(steps) >= {("pay", "which"), ("pay", "method"), ("pay", "pin")}, set(steps)

    any_text_at_each_ussd_step(services, phone.client, f"/webhooks/africastalking/ussd?key={_key()}", steps,
                               FEW, PHONE)
    assert nothing_paid(services) and order.reference


def test_any_text_at_any_sms_pay_step(phone, services, make_batch):
    order, steps = place(services), {}
    make_batch()
    for walk, to in ((("PAYER",), "1919"), ((f"PAYER {order.reference}",), "1919"), (("CARTE",), "1919"),
                     ((f"CARTE {order.reference}",), "1919"), ((f"PAYER {order.reference}",), "+212522000000"),
                     (("PAYER 1234567890",), "1919")):
        for text in walk:
            phone.sms(text, to=to)
        steps.update(snapshots(services, "shubbak:dialog:sms:"))
        services.redis.delete(f"shubbak:dialog:sms:{PHONE}")
    assert set(steps) == PAY_STEPS, set(steps)

    def answer(step, text):
        if (fold(text).split() or [""])[0] in YES:
            return  # a yes is consent: it bills, as it should
        key, state, _ = steps[step]
        services.redis.set(key, state)
        phone.sms(text)  # a failed job fails drain()

    for step in sorted(steps):
        for text in NASTY:
            answer(step, text)
    given(st.sampled_from(sorted(steps)), LONG_TEXT)(FEW(answer))()
    assert nothing_paid(services) and phone.premium.forms == []


def _key() -> str:
    from tests.channels.harness import KEY
    return KEY
