"""Log lines: phone numbers masked wherever they appear, durations and ids left alone, RQ's per-job lines quiet."""
import logging

import pytest

from logs import QuietRq, RedactingFilter


def shown(message: str, *args) -> str:
    record = logging.LogRecord("shubbak", logging.INFO, __file__, 1, message, args, None)
    RedactingFilter().filter(record)
    return record.getMessage()


@pytest.mark.parametrize("line, masked", [
    ("SMS to +212612345678 sent", "SMS to +2126****5678 sent"),
    ("from 0612345678 and 06 12 34 56 78.", "from 06****5678 and 06****5678."),
    ("WaId 212612345678", "WaId 2126****5678"),
    ("abroad +33 6 12 34 56 78", "abroad +3361***5678"),
    ("phone=+212612345678, key=[redacted]", "phone=+2126****5678, key=[redacted]"),
    ("to whatsapp:+212612345678 (template)", "to whatsapp:+2126****5678 (template)"),
])
def test_phone_numbers_are_masked_in_every_usual_writing(line, masked):
    assert shown(line) == masked


@pytest.mark.parametrize("line", [
    "default: Job OK (3f2a9c1e-8d7b-4e0a-9b12-0612345678ab)",
    "Successfully completed jobs.notifications.send(42) job in 0:00:00.012345s on worker 1b2c",
    "order 7081548444 paid, charge sandbox-premium-0612345678abcdef",
    "message 1234567 attempt 2 via console: sent",
    "card 000010000001 paid 2500 centimes on order 8987963275 (7500 left on the card)",
    "took 1234.567891 ms at 2026-12-03T10:00:00.123456+00:00",
])
def test_durations_ids_references_and_times_are_left_as_they_were(line):
    assert shown(line) == line


def rq_record(level=logging.INFO):
    return logging.LogRecord("rq.worker", level, __file__, 1, "Worker %s: %s: %s (%s)",
                             ("w1", "default", "Job OK", "abc"), None)


def test_rq_per_job_lines_go_below_info_by_default():
    record = rq_record()
    assert QuietRq(logging.INFO).filter(record) is False
    assert QuietRq(logging.DEBUG).filter(rq_record()) is True and rq_record().levelno == logging.INFO


def test_rq_warnings_and_our_own_info_lines_still_show():
    assert QuietRq(logging.INFO).filter(rq_record(logging.WARNING)) is True
    ours = logging.LogRecord("shubbak", logging.INFO, __file__, 1, "periodic clock started", (), None)
    assert QuietRq(logging.INFO).filter(ours) is True


def test_a_long_digit_run_inside_a_hex_id_is_no_pin_in_a_log_line():
    from orders_core.redaction import redact_pins_in

    worker = "Worker 1f87f9c19e5149558c4417003529718352: started"
    assert redact_pins_in(worker) == worker
    assert "[PIN]" in redact_pins_in("card paid with 4009 6709 2774 6029 626 by a citizen")
