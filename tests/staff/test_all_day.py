"""The staff view for all-day use, without a browser: charts at zero, labels that read apart in Arabic, the day's
reconciliation opening on today and written in the page's language."""
import re

from staff import charts
from staff.presentation import hours
from texts import Catalogs
from web import demo


def test_a_few_minutes_draw_a_short_bar_not_a_full_one_labelled_zero():
    chart = charts.bars([("reçue", 0.03), ("prise", 0.0)], fmt=hours)
    full = 640 - 160 - 60
    assert chart.bars[0].width < full / 10 and chart.bars[0].value == "< 0.1"
    assert chart.bars[1].width == 0 and not chart.empty


def test_a_chart_of_nothing_but_zeros_says_there_is_nothing_to_draw():
    assert charts.bars([("reçue", 0), ("prise", 0)], fmt=hours).empty
    assert charts.columns([("01/12", 0), ("02/12", 0)]).empty


def _bare(label: str) -> str:
    """An Arabic label as it reads at a glance: no vowel marks, no article, one shape of alif and of ta marbuta."""
    label = re.sub(r"[\u064B-\u0652]", "", label.strip())
    words = [w[2:] if w.startswith("ال") and len(w) > 3 else w for w in label.split()]
    return " ".join(words).translate(str.maketrans("أإآة", "اااه"))


def test_no_status_reads_like_a_column_of_the_order_tables_in_arabic():
    arabic = Catalogs.load().messages["ar"]
    statuses = {k.rsplit(".", 1)[1]: v for k, v in arabic.items() if k.startswith("staff.status.")}
    columns = {k.rsplit(".", 1)[1]: v for k, v in arabic.items() if k.startswith("staff.order.")}
    alike = [(status, column) for status, label in statuses.items() for column, heading in columns.items()
             if status != column and _bare(label) == _bare(heading)]
    assert alike == []


def test_the_reconciliation_opens_on_today(services, logged_in, people):
    html = logged_in("finance").page("/staff/finance/reconciliation")
    today = services.clock().date().isoformat()  # 09:00 UTC is 10:00 in Casablanca: the same day
    assert f'name="day" value="{today}"' in html


def test_the_demo_s_reconciliation_page_in_arabic_is_all_arabic_and_balanced(app, services, logged_in, people):
    demo.seed(services)
    desk = logged_in("finance")
    desk.post("/staff/language", {"lang": "ar", "next": "/staff/finance/reconciliation"})
    html = desk.page("/staff/finance/reconciliation")
    assert "الفوارق: 0" in html
    shown = re.sub(r"<[^>]+>", " ", html.split("<main>")[1])  # what the page says, not its markup
    assert not re.search(r"\b(card|payment|charge|redemption|order|mismatch|none)\b", shown, re.I), shown
    assert '<ul id="mismatches"></ul>' in html
