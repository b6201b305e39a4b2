"""Card PINs, batches (generated and printed once), activation, blocking, and the finance commands."""
import csv
import hashlib
import hmac
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from orders_core.errors import InvalidInput
from payments_sms import activate_cards, block_cards, generate_batch
from payments_sms.errors import BatchNotFound, CardsNotFound
from payments_sms.model import Card, CardBatch
from payments_sms.pins import contact_key, format_pin, new_pin, parse_pin, pin_hash

from .conftest import PHONE

# PINs -------------------------------------------------------------------------------------------------------------


def test_a_pin_is_14_random_digits_and_a_verhoeff_check_digit():
    pins = {new_pin() for _ in range(200)}
    assert len(pins) == 200 and all(len(p) == 15 and p.isdigit() for p in pins)
    assert all(parse_pin(p) == p for p in pins)


def test_pins_come_from_the_randomness_source_given():
    digits = itertools.cycle([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7])
    assert new_pin(lambda n: next(digits))[:14] == "31415926535897"


@given(st.text(alphabet="0123456789", min_size=14, max_size=14), st.integers(0, 14), st.integers(1, 9))
def test_every_single_digit_error_is_caught(body, position, shift):
    from orders_core.references import check_digit
    pin = body + check_digit(body)
    wrong = pin[:position] + str((int(pin[position]) + shift) % 10) + pin[position + 1:]
    with pytest.raises(Exception) as refused:
        parse_pin(wrong)
    assert refused.value.code == "check_number"


@given(st.text(alphabet="0123456789", min_size=14, max_size=14), st.integers(0, 13))
def test_every_swap_of_neighbouring_digits_is_caught(body, position):
    from orders_core.references import check_digit
    pin = body + check_digit(body)
    swapped = pin[:position] + pin[position + 1] + pin[position] + pin[position + 2:]
    if swapped != pin:
        with pytest.raises(Exception):
            parse_pin(swapped)


def test_the_stored_form_is_an_hmac_sha256_under_the_server_secret():
    pin = new_pin()
    expected = hmac.new(b"server-secret", b"pin:" + pin.encode(), hashlib.sha256).hexdigest()
    assert pin_hash("server-secret", pin) == expected
    assert pin_hash("another-secret", pin) != expected
    assert contact_key("server-secret", PHONE) != pin_hash("server-secret", PHONE)


# Batches ----------------------------------------------------------------------------------------------------------


def generate(services, value=2000, size=4, write=None):
    printed = []
    summary = generate_batch(services.uow(), services.settings.card_pin_secret, value, size, "finance-1",
                             services.settings.card_validity_days, write or printed.extend)
    return summary, printed


def stored_cards(services):
    with services.uow() as uow:
        return uow.all(select(Card).order_by(Card.serial))


def test_a_batch_is_printed_cards_with_serials_and_only_pin_hashes(services, clock):
    summary, printed = generate(services, value=5000, size=4)
    cards = stored_cards(services)
    assert [c.serial for c in cards] == [p.serial for p in printed] == [f"{summary.batch_id:05d}{n:07d}"
                                                                        for n in range(1, 5)]
    assert {c.status for c in cards} == {"printed"} and {c.value for c in cards} == {5000}
    assert [c.pin_hash for c in cards] == [pin_hash(services.settings.card_pin_secret, p.pin) for p in printed]
    assert summary.expires_at == clock.at.replace(year=2028, day=22)  # 730 days
    with services.uow() as uow:
        assert uow.get(CardBatch, summary.batch_id).exported_at == clock.at


def test_when_the_printer_file_cannot_be_written_no_batch_exists(services):
    def broken(cards):
        raise OSError("disk full")
    with pytest.raises(OSError):
        generate(services, write=broken)
    assert stored_cards(services) == []


@pytest.mark.parametrize(("value", "size"), [(0, 3), (-2000, 3), (2000, 0), (2000, 100_001), ("20", 3)])
def test_a_batch_needs_a_positive_value_and_a_sensible_size(services, value, size):
    with pytest.raises(InvalidInput):
        generate(services, value=value, size=size)


def test_cards_are_activated_by_batch_or_serial_range_and_blocked_cards_stay_blocked(services):
    summary, printed = generate(services, size=5)
    block_cards(services.uow(), "lost in transport", first=printed[4].serial)
    assert activate_cards(services.uow(), first=printed[0].serial, last=printed[1].serial) == 2
    assert activate_cards(services.uow(), batch_id=summary.batch_id) == 2
    assert [c.status for c in stored_cards(services)] == ["active"] * 4 + ["blocked"]
    assert activate_cards(services.uow(), batch_id=summary.batch_id) == 0


def test_activating_nothing_is_refused_with_a_named_error(services):
    generate(services)
    with pytest.raises(BatchNotFound):
        activate_cards(services.uow(), batch_id=999)
    with pytest.raises(CardsNotFound):
        activate_cards(services.uow(), first="999990000001")
    with pytest.raises(InvalidInput):
        activate_cards(services.uow())
    with pytest.raises(InvalidInput):
        block_cards(services.uow(), "  ", first="000010000001")


# Commands ---------------------------------------------------------------------------------------------------------


def test_the_generate_command_writes_the_printer_csv_once(app, services, tmp_path):
    runner, output = app.test_cli_runner(), tmp_path / "batch-20.csv"
    done = runner.invoke(args=["cards", "generate", "--value", "20", "--count", "3", "--output", str(output)])
    assert done.exit_code == 0, done.output
    assert "3 cards of 20 MAD" in done.output and "PINs in" in done.output
    with output.open(encoding="utf-8") as printed:
        rows = list(csv.DictReader(printed))
    assert [r["value_mad"] for r in rows] == ["20"] * 3
    assert all(parse_pin(r["pin"]) for r in rows) and {r["serial"] for r in rows} == {
        c.serial for c in stored_cards(services)}
    again = runner.invoke(args=["cards", "generate", "--value", "20", "--count", "3", "--output", str(output)])
    assert again.exit_code == 2 and "written once" in again.output
    assert len(stored_cards(services)) == 3


def test_the_activate_and_block_commands_name_what_they_did(app, services, tmp_path):
    runner = app.test_cli_runner()
    runner.invoke(args=["cards", "generate", "--value", "50", "--count", "2", "--output", str(tmp_path / "b.csv")])
    first, batch = stored_cards(services)[0].serial, stored_cards(services)[0].batch_id
    assert "2 cards activated" in runner.invoke(args=["cards", "activate", "--batch", str(batch)]).output
    blocked = runner.invoke(args=["cards", "block", "--from", first, "--reason", "stolen"])
    assert blocked.exit_code == 0 and "1 cards blocked" in blocked.output
    assert runner.invoke(args=["cards", "activate"]).exit_code == 2
    assert runner.invoke(args=["cards", "generate", "--value", "abc", "--count", "1", "--output",
                               str(tmp_path / "c.csv")]).exit_code == 2


def test_format_pin_groups_by_four_for_the_scratch_panel():
    assert format_pin("123456789012345") == "1234 5678 9012 345"


def batch_counts(services, batch_id):
    with services.uow() as uow:
        batch = uow.get(CardBatch, batch_id)
        return batch.printed_cards, batch.active_cards, batch.blocked_cards


def test_a_batch_counts_its_cards_by_status_when_activations_and_blocks_of_its_cards_run_at_once(services):
    from concurrent.futures import ThreadPoolExecutor

    summary, printed = generate(services, size=12)
    serial = [card.serial for card in printed]
    work = [lambda: activate_cards(services.uow(), first=serial[0], last=serial[5]),
            lambda: activate_cards(services.uow(), first=serial[4], last=serial[9]),
            lambda: block_cards(services.uow(), "lost", first=serial[3], last=serial[7]),
            lambda: block_cards(services.uow(), "stolen", first=serial[6], last=serial[10]),
            lambda: activate_cards(services.uow(), batch_id=summary.batch_id)]
    with ThreadPoolExecutor(len(work)) as pool:
        for done in [pool.submit(job) for job in work]:
            done.result()
    statuses = [card.status for card in stored_cards(services)]
    counted = (statuses.count("printed"), statuses.count("active"), statuses.count("blocked"))
    assert batch_counts(services, summary.batch_id) == counted and sum(counted) == 12
    assert counted[2] == 8  # serials 4 to 11 blocked whatever the order the changes ran in
