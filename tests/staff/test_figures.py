"""Figures from the core's tables: stage durations, median and 90th percentile, orders per local day, charts."""
from datetime import date, datetime, timezone

import pytest

from orders_core.services import advance_order, dispatch_order, reassign_order, take_order
from staff import charts, figures

from .conftest import FOREIGN_OFFICE, NEIGHBOUR_OFFICE, OFFICE, paid_order

ZONE = "Africa/Casablanca"


@pytest.mark.parametrize(("values", "share", "expected"), [
    ([5.0], 0.9, 5.0),
    ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 0.9, 9.0),
    ([10.0, 1.0, 2.0], 0.9, 10.0),
    ([1.0, 2.0, 3.0, 4.0], 0.5, 2.0),
    (list(map(float, range(1, 101))), 0.9, 90.0),
])
def test_the_percentile_is_the_nearest_rank(values, share, expected):
    assert figures.percentile(values, share) == expected


def journey(services, people, clock, waited_h: float, produced_h: float, office=OFFICE):
    """An order received, taken after `waited_h`, ready after `produced_h` more, dispatched an hour later."""
    agent = people["agent" if office == OFFICE else "foreign-agent"].as_actor()
    order = paid_order(services, office)
    clock.advance(hours=waited_h)
    take_order(services.uow(), order.id, agent)
    clock.advance(hours=produced_h)
    advance_order(services.uow(), order.id, "ready", agent)
    clock.advance(hours=1)
    dispatch_order(services.uow(), order.id, "RR123456785MA", agent)
    return order


def test_each_stage_lasts_from_the_event_entering_it_to_the_next(services, people, clock):
    start = clock()
    journey(services, people, clock, 2, 5)
    with services.uow() as uow:
        durations = figures.stage_durations(uow, [OFFICE], start)
    assert durations == {(OFFICE, "received"): [2.0], (OFFICE, "in_progress"): [5.0], (OFFICE, "ready"): [1.0]}


def test_median_and_90th_percentile_per_office_and_stage_and_over_all(services, people, clock):
    start = clock()
    for waited in (1, 2, 3, 4, 10):
        journey(services, people, clock, waited, 4)
    journey(services, people, clock, 6, 2, office=FOREIGN_OFFICE)
    with services.uow() as uow:
        per_office, overall = figures.processing_times(
            figures.stage_durations(uow, [OFFICE, FOREIGN_OFFICE], start))
    received = {row.office_code: row for row in per_office if row.stage == "received"}
    assert (received[OFFICE].count, received[OFFICE].median_hours, received[OFFICE].p90_hours) == (5, 3.0, 10.0)
    assert (received[FOREIGN_OFFICE].median_hours, received[FOREIGN_OFFICE].p90_hours) == (6.0, 6.0)
    assert [(row.stage, row.count, row.median_hours) for row in overall] == [
        ("received", 6, 3.5), ("in_progress", 6, 4.0), ("ready", 6, 1.0)]


def test_the_database_computes_the_same_medians_and_percentiles_as_the_durations_give(services, people, clock):
    start = clock()
    for waited, produced in ((1, 4), (2, 1), (3, 7), (4, 4), (10, 2), (0.5, 3)):
        journey(services, people, clock, waited, produced)
    journey(services, people, clock, 6, 2, office=FOREIGN_OFFICE)
    with services.uow() as uow:
        expected = figures.processing_times(figures.stage_durations(uow, [OFFICE, FOREIGN_OFFICE], start))
        found = figures.stage_times(uow, [OFFICE, FOREIGN_OFFICE], start)
        office_only = figures.stage_times(uow, [OFFICE], start)
    assert found == expected
    assert {row.office_code for row in office_only[0]} == {OFFICE} and office_only[1][0].count == 6
    per_office, overall = found
    assert [(row.office_code, row.stage) for row in per_office] == [  # by office code, then stage
        (FOREIGN_OFFICE, "received"), (FOREIGN_OFFICE, "in_progress"), (FOREIGN_OFFICE, "ready"),
        (OFFICE, "received"), (OFFICE, "in_progress"), (OFFICE, "ready")]
    assert [(row.stage, row.count, row.median_hours, row.p90_hours) for row in overall] == [
        ("received", 7, 3.0, 10.0), ("in_progress", 7, 3.0, 7.0), ("ready", 7, 1.0, 1.0)]


def test_stages_that_ended_before_the_period_are_left_out_of_the_database_figures(services, people, clock):
    journey(services, people, clock, 2, 5)
    clock.advance(days=3)
    since = clock()
    journey(services, people, clock, 4, 1)
    with services.uow() as uow:
        _, overall = figures.stage_times(uow, [OFFICE], since)
    assert [(row.stage, row.count, row.median_hours) for row in overall] == [
        ("received", 1, 4.0), ("in_progress", 1, 1.0), ("ready", 1, 1.0)]


def test_stages_of_offices_outside_the_scope_are_left_out(services, people, clock):
    start = clock()
    journey(services, people, clock, 2, 5, office=FOREIGN_OFFICE)
    with services.uow() as uow:
        assert figures.stage_durations(uow, [OFFICE], start) == {}


def test_a_reassigned_order_counts_its_wait_at_each_office(services, people, clock):
    start = clock()
    order = paid_order(services)
    clock.advance(hours=3)
    reassign_order(services.uow(), order.id, NEIGHBOUR_OFFICE, "acte à Hassan", people["supervisor"].as_actor())
    with services.uow() as uow:
        durations = figures.stage_durations(uow, [OFFICE, NEIGHBOUR_OFFICE], start)
    assert durations == {(OFFICE, "received"): [3.0]}  # at Hassan it is still waiting: not a finished stage


def test_late_orders_are_those_past_their_service_level(services, people, clock):
    waiting = paid_order(services)
    done = journey(services, people, clock, 1, 1)
    clock.advance(days=2)
    fresh = paid_order(services)
    clock.advance(days=2)  # Monday 09:00 + 4 days: `waiting` is past three working days, `fresh` is not
    with services.uow() as uow:
        late = [order.id for order in figures.late_orders(uow, [OFFICE], uow.now())]
    assert late == [waiting.id] and done.id not in late and fresh.id not in late


def test_orders_are_counted_on_their_local_day_with_empty_days_shown(services, people, clock):
    clock.at = datetime(2026, 11, 23, 23, 30, tzinfo=timezone.utc)  # already Tuesday 00:30 in Casablanca
    paid_order(services)
    clock.advance(days=1, hours=2)  # Wednesday 02:30 in Casablanca
    paid_order(services)
    paid_order(services, FOREIGN_OFFICE)
    with services.uow() as uow:
        days = figures.orders_per_day(uow, [OFFICE], date(2026, 11, 23), date(2026, 11, 26), ZONE)
        everywhere = figures.orders_per_day(uow, None, date(2026, 11, 25), date(2026, 11, 25), ZONE)
    assert days == [(date(2026, 11, 23), 0), (date(2026, 11, 24), 1), (date(2026, 11, 25), 1),
                    (date(2026, 11, 26), 0)]
    assert everywhere == [(date(2026, 11, 25), 2)]


def test_columns_are_as_tall_as_their_values_relative_to_the_largest():
    chart = charts.columns([("a", 10), ("b", 5), ("c", 0)], width=360, height=120)
    heights = [bar.height for bar in chart.bars]
    assert heights == [100.0, 50.0, 0.0] and chart.top == "10"
    assert [bar.y + bar.height for bar in chart.bars] == [100.0] * 3  # every column stands on the same line
    assert chart.bars[0].x < chart.bars[1].x < chart.bars[2].x


def test_bars_are_as_long_as_their_values_and_an_empty_chart_says_so():
    chart = charts.bars([("received", 4.0), ("ready", 1.0)], width=460)
    assert [bar.width for bar in chart.bars] == [240.0, 60.0]
    assert charts.columns([("a", 0), ("b", 0)]).empty and not chart.empty


def test_the_inspector_page_shows_times_late_orders_and_charts(services, people, clock, logged_in):
    journey(services, people, clock, 2, 5)
    paid_order(services)
    clock.advance(days=6)
    html = logged_in("inspector").page("/staff/inspection?days=7")
    assert html.count("<svg") == 2
    assert "<td>Reçue au bureau</td><td>1</td><td>2.0</td><td>2.0</td>" in html
    assert "Demandes en retard : 1" in html


def test_the_supervisor_s_chart_counts_the_office_s_orders(services, people, clock, logged_in):
    paid_order(services)
    paid_order(services)
    clock.advance(days=1)
    paid_order(services)
    html = logged_in("supervisor").page("/staff/workload")
    tallest = [line for line in html.splitlines() if "<title>23/11: 2</title>" in line]
    assert tallest and "<title>24/11: 1</title>" in html
    assert html.count('class="bar"') == 14  # two weeks, today last


def test_day_labels_are_spaced_evenly_back_from_the_last_day():
    chart = charts.columns([(f"{day:02d}/11", day) for day in range(1, 31)])
    assert chart.ticks == (4, 9, 14, 19, 24, 29)
    assert charts.columns([("a", 1), ("b", 2)]).ticks == (0, 1)
