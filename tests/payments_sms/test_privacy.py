"""After batches and redemptions, neither the database nor the logs hold a PIN or a payer's phone number."""
import logging
import re

import pytest
from sqlalchemy import select

from payments_sms import CardEmpty, PinCheckNumber, PinLocked, WrongPin, redeem_card
from payments_sms.cli import write_print_file
from payments_sms.pins import format_pin
from persistence import load_metadata

from .conftest import OTHER_PHONE, PHONE, place, unknown_pin

# The order core keeps the requester's own contact by design (to text them, to key their credit).
REQUESTER_COLUMNS = {("orders", "requester_contact"), ("orders", "requester_phone"), ("credit_entries", "account"),
                     ("outbox", "payload")}


def dump(services) -> dict[tuple[str, str], str]:
    """Every column of every table, as text."""
    found = {}
    with services.engine.connect() as conn:
        for table in load_metadata().sorted_tables:
            for row in conn.execute(select(table)):
                for column, value in row._mapping.items():
                    found[(table.name, column)] = found.get((table.name, column), "") + f"|{value}"
    return found


def forms(phone: str) -> list[str]:
    """Ways a whole phone number could be written: E.164, without '+', national."""
    return [phone, phone[1:], "0" + phone[4:], phone[4:]]


def logged(caplog) -> list:
    """Log records of the fixture's work (set-up) and of the test itself."""
    return caplog.get_records("setup") + caplog.records


def attempt(services, reference, pin, contact):
    try:
        return redeem_card(services.uow(), reference, pin, contact, pin_secret=services.settings.card_pin_secret)
    except (CardEmpty, PinCheckNumber, PinLocked, WrongPin) as refused:
        return refused


@pytest.fixture
def history(services, make_batch, tmp_path, caplog):
    """A batch printed to CSV, activated; payments by the requester and a relative; typos, guesses, a lock."""
    caplog.set_level(logging.DEBUG)
    printed = []

    def to_printer(cards):
        cards = list(cards)
        printed.extend(cards)
        write_print_file(str(tmp_path / "batch.csv"), cards)
    from payments_sms import activate_cards, generate_batch
    summary = generate_batch(services.uow(), services.settings.card_pin_secret, 2000, 5, "finance",
                             services.settings.card_validity_days, to_printer)
    activate_cards(services.uow(), batch_id=summary.batch_id)
    first, second, third = (place(services) for _ in range(3))
    attempt(services, first.reference, printed[0].pin, PHONE)
    attempt(services, second.reference, format_pin(printed[1].pin), OTHER_PHONE)  # a relative pays
    attempt(services, third.reference, printed[0].pin, OTHER_PHONE)  # empty card
    attempt(services, third.reference, printed[2].pin[:-1] + "x", OTHER_PHONE)  # typo
    for _ in range(6):
        attempt(services, third.reference, unknown_pin(), OTHER_PHONE)  # guesses, then locked
    return printed, tmp_path / "batch.csv"


def test_no_pin_appears_in_any_column_or_log_line(services, history, caplog):
    printed, _ = history
    columns = dump(services)
    text = "\n".join(columns.values()) + "\n".join(r.getMessage() for r in logged(caplog))
    for card in printed:
        for written in (card.pin, card.pin[:14], format_pin(card.pin)):
            assert written not in text, f"a PIN of card {card.serial} is stored or logged in clear"
    assert len(columns) > 50 and any(card.serial in text for card in printed)  # the dump did read the tables


def test_the_payers_number_is_in_no_column_and_no_log_line(services, history, caplog):
    columns = dump(services)
    lines = "\n".join(r.getMessage() for r in logged(caplog))
    assert "paid 2000 centimes" in lines, "the redemptions logged nothing: this test would prove nothing"
    for written in forms(OTHER_PHONE):
        holders = [place for place, text in columns.items() if written in text]
        assert holders == [], f"{written!r} is stored in clear in {holders}"
        assert written not in lines
    for written in forms(PHONE):
        holders = {place for place, text in columns.items() if written in text}
        assert holders <= REQUESTER_COLUMNS, f"{written!r} is stored outside the requester's columns: {holders}"
        assert written not in lines


def test_the_printer_file_holds_the_pins_and_only_its_owner_may_read_it(history):
    printed, path = history
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    rows = path.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "batch,serial,pin,value_mad,expires" and len(rows) == 1 + len(printed)
    assert all(re.search(format_pin(card.pin), "\n".join(rows)) for card in printed)
