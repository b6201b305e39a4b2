"""Finance: money collected by day, commune, means and channel; credits outstanding; CSV; card batches."""
import csv
import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from orders_core.model import CreditEntry
from orders_core.services import place_order, record_payment
from payments_sms.model import Card
from payments_sms.pins import parse_pin
from staff import figures
from staff.finance import csv_text, money_text
from web.demo import draft

from .conftest import FOREIGN_OFFICE, OFFICE

ZONE = "Africa/Casablanca"
PERIOD = "from=2026-11-23&to=2026-11-24"


def order_paid(services, office, channel, means, overpay=0):
    order = place_order(services.uow(), services.settings.prices, draft(office_code=office, channel=channel))
    record_payment(services.uow(), order.reference, order.total - order.paid_amount + overpay, means,
                   f"{means}-{order.reference}")
    return order


@pytest.fixture
def takings(services, people, clock):
    """Monday: 25 MAD by premium SMS over USSD in Rabat. Tuesday: 30 MAD by card over WhatsApp in Casablanca,
    5 of them over the price (a credit), then an order paid by that credit (not new money)."""
    order_paid(services, OFFICE, "ussd", "premium_sms")
    clock.advance(days=1)
    order_paid(services, FOREIGN_OFFICE, "whatsapp", "card", overpay=500)
    place_order(services.uow(), services.settings.prices, draft(lines={"extract": 1}))  # 20 MAD, 5 from credit


def table(services, dimension):
    with services.uow() as uow:
        return [(row.label, row.payments, row.amount) for row in
                figures.revenue(uow, dimension, date(2026, 11, 23), date(2026, 11, 24), ZONE)]


def test_revenue_by_means_leaves_out_credit_spent(services, takings):
    assert table(services, "means") == [("card", 1, 3000), ("premium_sms", 1, 2500)]


def test_revenue_by_channel_commune_and_day(services, takings):
    assert table(services, "channel") == [("ussd", 1, 2500), ("whatsapp", 1, 3000)]
    assert table(services, "commune") == [("Rabat", 1, 2500), ("Casablanca", 1, 3000)]  # by commune code
    assert table(services, "day") == [("2026-11-23", 1, 2500), ("2026-11-24", 1, 3000)]


def test_revenue_outside_the_period_is_left_out(services, takings):
    with services.uow() as uow:
        assert figures.revenue(uow, "means", date(2026, 11, 25), date(2026, 11, 30), ZONE) == []


def test_credits_outstanding_are_what_accounts_still_hold(services, people, clock):
    order_paid(services, OFFICE, "ussd", "card", overpay=700)
    with services.uow() as uow:
        rows, total = figures.credits_outstanding(uow)
    assert [(account, balance) for account, balance, _ in rows] == [("+212612345678", 700)] and total == 700


def test_the_finance_page_shows_the_tables_the_chart_and_the_credit(services, takings, logged_in):
    html = logged_in("finance").page(f"/staff/finance?{PERIOD}")
    assert re.search(r'id="total">.*?55,00 MAD', html, re.S)
    assert "SMS surtaxé" in html and "Carte prépayée" in html and "Casablanca" in html
    assert html.count('class="bar"') == 2 and 'id="credits-total">0,00 MAD' in html
    assert 'id="credit-statement" href="/staff/finance/credits.csv?from=' in html  # the period shown


def test_the_arabic_finance_page_writes_commune_names_in_arabic(services, takings, logged_in):
    desk = logged_in("finance")
    desk.post("/staff/language", {"lang": "ar", "next": "/staff/finance"})
    html = desk.page(f"/staff/finance?{PERIOD}")
    assert '<html lang="ar" dir="rtl">' in html and "الدار البيضاء" in html


@pytest.mark.parametrize(("table_name", "first_row"), [
    ("means", ["card", "card", "1", "30.00"]),
    ("channel", ["ussd", "ussd", "1", "25.00"]),
    ("day", ["2026-11-23", "2026-11-23", "1", "25.00"]),
])
def test_each_table_exports_as_csv(services, takings, logged_in, table_name, first_row):
    response = logged_in("finance").get(f"/staff/finance/{table_name}.csv?{PERIOD}")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == [table_name, "label", "payments", "amount_mad"] and rows[1] == first_row


def test_the_credit_balances_export_lists_accounts_and_balances(services, people, logged_in):
    order_paid(services, OFFICE, "ussd", "card", overpay=1250)
    exported = logged_in("finance").get("/staff/finance/credit-balances.csv")
    rows = list(csv.reader(io.StringIO(exported.get_data(True))))
    assert rows[0] == ["account", "balance_mad", "last_movement_utc"]
    assert rows[1][:2] == ["+212612345678", "12.50"]


@pytest.mark.parametrize(("lang", "label", "explained"), [
    ("fr", "Après le compte", "Au plus 1000 comptes par fichier, par ordre de compte"),
    ("ar", "بعد الحساب", "حساب على الأكثر في كل ملف، مرتبة حسب الحساب"),
    ("en", "After account", "At most 1000 accounts a file, in account order"),
])
def test_the_credit_balances_form_labels_its_box_and_says_what_a_file_holds(people, logged_in, lang, label, explained):
    desk = logged_in("finance")
    desk.post("/staff/language", {"lang": lang, "next": "/staff/finance"})
    form = re.search(r'<form[^>]*id="credits-after".*?</form>', desk.page("/staff/finance"), re.S).group(0)
    assert f'<label for="credits-after-account">{label}</label>' in form
    assert 'id="credits-after-account" name="after"' in form and explained in form


def test_the_credits_export_of_the_default_period_holds_this_months_credit(services, people, logged_in):
    order_paid(services, OFFICE, "ussd", "card", overpay=1250)
    rows = list(csv.reader(io.StringIO(logged_in("finance").get("/staff/finance/credits.csv").get_data(True))))
    assert rows[1][:5] == ["+212612345678", "0.00", "12.50", "0.00", "12.50"]


@pytest.mark.parametrize(("centimes", "text"), [(0, "0.00"), (5, "0.05"), (2500, "25.00"), (-1250, "-12.50"),
                                                (123456789, "1234567.89")])
def test_money_is_written_for_spreadsheets_without_floats(centimes, text):
    assert money_text(centimes) == text


def test_a_cell_that_a_spreadsheet_would_run_as_a_formula_is_defused():
    rows = list(csv.reader(io.StringIO(csv_text(["a"], [["=HYPERLINK(1)"], ["+212612345678"], ["-1.50"], ["@x"]]))))
    assert [row[0] for row in rows[1:]] == ["'=HYPERLINK(1)", "+212612345678", "-1.50", "'@x"]


def cards_of(services, batch_id):
    with services.uow() as uow:
        return {card.serial: card.status for card in uow.all(select(Card).where(Card.batch_id == batch_id))}


def test_finance_generates_a_batch_gets_its_file_once_and_activates_it(services, people, logged_in):
    desk = logged_in("finance")
    response = desk.post("/staff/finance/cards/generate", {"value": "5000", "size": "3"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["serial", "pin", "value_mad", "expires_on"] and len(rows) == 4
    pins = [parse_pin(row[1]) for row in rows[1:]]  # each PIN is 15 digits with a valid check digit
    assert len(set(pins)) == 3 and {row[2] for row in rows[1:]} == {"50.00"}
    batch_id = int(re.search(r"batch-(\d+)\.csv", response.headers["Content-Disposition"]).group(1))
    assert set(cards_of(services, batch_id).values()) == {"printed"}
    page = desk.page("/staff/finance/cards")
    assert f'data-batch="{batch_id}"' in page and all(pin not in page for pin in pins)
    desk.post("/staff/finance/cards/activate", {"batch_id": str(batch_id)})
    assert set(cards_of(services, batch_id).values()) == {"active"}
    assert "3 carte(s) activée(s)." in desk.page("/staff/finance/cards")


def test_finance_blocks_a_range_of_serials_with_a_reason(services, people, logged_in):
    desk = logged_in("finance")
    rows = list(csv.reader(io.StringIO(desk.post("/staff/finance/cards/generate",
                                                 {"value": "2000", "size": "3"}).get_data(as_text=True))))
    first, last = rows[1][0], rows[2][0]
    desk.post("/staff/finance/cards/block", {"first": first, "last": last, "reason": "carton perdu"})
    statuses = cards_of(services, int(first[:5]))
    assert [statuses[serial] for serial in sorted(statuses)] == ["blocked", "blocked", "printed"]


def test_a_card_value_outside_the_price_list_is_refused(services, people, logged_in):
    desk = logged_in("finance")
    response = desk.post("/staff/finance/cards/generate", {"value": "1234", "size": "3"})
    assert response.status_code == 302
    assert "Vérifiez ces champs" in desk.page("/staff/finance/cards")


def test_the_reconciliation_page_shows_the_day_and_its_mismatches(services, takings, logged_in):
    html = logged_in("finance").page("/staff/finance/reconciliation?day=2026-11-23")
    assert "SMS surtaxé" in html and "Écarts : 1" in html and "pas de prélèvement réussi" in html
    assert "has no succeeded charge" not in html  # the page's language, not the command's English
    exported = logged_in("finance").get("/staff/finance/reconciliation.csv?day=2026-11-23").get_data(as_text=True)
    assert "payment,premium_sms,,1,25.00" in exported and exported.count("mismatch,") == 1


@pytest.mark.parametrize(("lang", "sentence"), [("fr", "pas de prélèvement réussi"), ("ar", "بلا خصم ناجح"),
                                                ("en", "Premium payment")])
def test_the_reconciliation_csv_writes_its_mismatches_in_the_readers_language(services, takings, logged_in, lang,
                                                                              sentence):
    desk = logged_in("finance")
    desk.post("/staff/language", {"lang": lang, "next": "/staff/finance/reconciliation"})
    exported = desk.get("/staff/finance/reconciliation.csv?day=2026-11-23").get_data(as_text=True)
    mismatches = [row[1] for row in csv.reader(io.StringIO(exported)) if row[0] == "mismatch"]
    # The command's English sentence starts "premium payment 1 (…)"; the English catalog's, "Premium payment 1 (…)".
    assert len(mismatches) == 1 and sentence in mismatches[0] and "premium payment" not in exported


def test_the_credit_balances_export_is_read_a_file_at_a_time_by_account(services, people, logged_in, clock, monkeypatch):
    monkeypatch.setattr("staff.finance.CREDITS_PER_FILE", 2)
    with services.uow() as uow:
        for account, amount in (("+212600000003", 300), ("+212600000001", 100), ("+212600000004", 0),
                                ("+212600000002", 200)):
            uow.add(CreditEntry(account=account, amount=amount, reason="overpayment", order_id=None, at=uow.now()))
        uow.commit()
    desk = logged_in("finance")
    first = desk.get("/staff/finance/credit-balances.csv")
    assert [row[:2] for row in csv.reader(io.StringIO(first.get_data(True)))][1:] == [
        ["+212600000001", "1.00"], ["+212600000002", "2.00"]]
    assert first.headers["Link"] == '</staff/finance/credit-balances.csv?after=%2B212600000002>; rel="next"'
    following = desk.get("/staff/finance/credit-balances.csv?after=%2B212600000002")
    assert [row[0] for row in csv.reader(io.StringIO(following.get_data(True)))][1:] == ["+212600000003"]
    assert "Link" not in following.headers  # the last file: an account without credit is not listed


def test_the_card_batch_page_lists_the_newest_batches_and_links_the_older(services, people, logged_in, monkeypatch):
    monkeypatch.setattr("staff.cards.BATCHES_PER_PAGE", 2)
    desk = logged_in("finance")
    made = [int(re.search(r"batch-(\d+)\.csv", desk.post("/staff/finance/cards/generate", {
        "value": "2000", "size": "1"}).headers["Content-Disposition"]).group(1)) for _ in range(3)]
    page = desk.page("/staff/finance/cards")
    assert re.findall(r'data-batch="(\d+)"', page) == [str(made[2]), str(made[1])]
    older = re.search(r'id="older-batches" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert older == f"/staff/finance/cards?before={made[1]}"
    last = desk.page(older)
    assert re.findall(r'data-batch="(\d+)"', last) == [str(made[0])] and "older-batches" not in last


def batch_counts(page: str) -> dict[int, tuple[int, int, int]]:
    """Each batch row's (printed, active, blocked) as the card-batch page shows them."""
    found = re.findall(r'data-batch="(\d+)">.*?<td class="printed">(\d+)</td><td class="active">(\d+)</td>'
                       r'<td class="blocked">(\d+)</td>', page, re.S)
    return {int(batch): (int(p), int(a), int(b)) for batch, p, a, b in found}


def counted_from_cards(services, batch_id) -> tuple[int, int, int]:
    statuses = list(cards_of(services, batch_id).values())
    return statuses.count("printed"), statuses.count("active"), statuses.count("blocked")


def test_the_card_batch_page_counts_what_each_batch_holds_after_activations_and_blocks_across_batches(
        services, people, logged_in):
    desk = logged_in("finance")
    files = [list(csv.reader(io.StringIO(desk.post("/staff/finance/cards/generate", {
        "value": "2000", "size": "3"}).get_data(as_text=True))))[1:] for _ in range(2)]
    one, two = (int(rows[0][0][:5]) for rows in files)
    desk.post("/staff/finance/cards/activate", {"batch_id": str(one)})
    desk.post("/staff/finance/cards/activate", {"batch_id": str(one)})  # nothing more to activate
    # A range from the last card of the first batch to the first of the second: an active and a printed card.
    desk.post("/staff/finance/cards/block", {"first": files[0][2][0], "last": files[1][0][0], "reason": "volés"})
    desk.post("/staff/finance/cards/block", {"first": files[1][0][0], "reason": "volés"})  # blocked already
    shown = batch_counts(desk.page("/staff/finance/cards"))
    assert shown[one] == counted_from_cards(services, one) == (0, 2, 1)
    assert shown[two] == counted_from_cards(services, two) == (2, 0, 1)


def test_the_card_batch_page_reads_its_counts_from_the_batches_not_from_their_cards(services, people, logged_in):
    from tests.statements import statements

    desk = logged_in("finance")
    for _ in range(2):
        desk.post("/staff/finance/cards/generate", {"value": "2000", "size": "2"})
    with statements(services) as seen:
        desk.page("/staff/finance/cards")
    assert not [s for s in seen if re.search(r"\bFROM cards\b", s)]


def credit(services, account: str, amount: int) -> None:
    with services.uow() as uow:
        uow.add(CreditEntry(account=account, amount=amount, reason="overpayment" if amount > 0 else "order",
                            order_id=None, at=uow.now()))
        uow.commit()


def test_the_credits_export_is_the_periods_statement_opening_credited_used_closing_for_each_account_that_moved(
        services, people, logged_in, clock):
    credit(services, "+212600000001", 300)  # 23 November: before the period
    credit(services, "+212600000003", 500)  # holds credit, nothing moves in the period: not in its statement
    clock.advance(days=7)
    credit(services, "+212600000001", -100)  # 30 November: an order paid from it
    credit(services, "+212600000002", 200)
    credit(services, "+212600000002", -50)
    clock.advance(days=7)
    credit(services, "+212600000004", 100)  # 7 December: after the period
    exported = logged_in("finance").get("/staff/finance/credits.csv?from=2026-11-24&to=2026-12-06")
    assert "shubbak-credits-2026-11-24-2026-12-06" in exported.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(exported.get_data(True))))
    assert rows[0] == ["account", "opening_mad", "credited_mad", "used_mad", "closing_mad", "last_movement_utc"]
    assert [row[:5] for row in rows[1:]] == [["+212600000001", "3.00", "0.00", "1.00", "2.00"],
                                             ["+212600000002", "0.00", "2.00", "0.50", "1.50"]]
    assert rows[1][5].startswith("2026-11-30T09:00")


def test_a_long_periods_credit_statement_is_read_a_file_at_a_time(services, people, logged_in, monkeypatch):
    monkeypatch.setattr("staff.finance.CREDITS_PER_FILE", 1)
    for account in ("+212600000002", "+212600000001"):
        credit(services, account, 100)
    desk = logged_in("finance")
    first = desk.get("/staff/finance/credits.csv?from=2026-11-01&to=2026-11-30")
    assert [row[0] for row in csv.reader(io.StringIO(first.get_data(True)))][1:] == ["+212600000001"]
    following = re.fullmatch(r"<([^>]+)>; rel=\"next\"", first.headers["Link"]).group(1)
    assert "from=2026-11-01" in following and "to=2026-11-30" in following
    assert [row[0] for row in csv.reader(io.StringIO(desk.get(following).get_data(True)))][1:] == ["+212600000002"]


EDGES = ["to=0001-01-05", "from=9999-12-31", "to=9999-12-31", "from=0001-01-01&to=0001-01-01"]


@pytest.mark.parametrize("path", ["/staff/finance", "/staff/finance/day.csv", "/staff/finance/credits.csv"])
@pytest.mark.parametrize("edge", EDGES)
def test_a_period_at_the_ends_of_the_calendar_is_refused_clearly(services, people, logged_in, path, edge):
    response = logged_in("finance").get(f"{path}?{edge}")
    assert response.status_code == 400, response.status_code
    assert "La demande contient une valeur refusée." in response.get_data(as_text=True)
