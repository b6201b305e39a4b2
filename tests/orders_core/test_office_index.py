"""The office search index: one per database and process, loaded again whenever an office changes."""
from sqlalchemy import event

from orders_core import queries
from orders_core.model import Office
from orders_core.services import find_offices, kept_offices, place_order, search_offices
from web.demo import draft


def _revision(services) -> int:
    with services.uow() as uow:
        return queries.directory_revision(uow)


def _edit(services, code: str, **values) -> None:
    with services.uow() as uow:
        office = uow.get(Office, code)
        for name, value in values.items():
            setattr(office, name, value)
        uow.commit()


def test_a_renamed_office_is_found_by_its_new_name_at_the_next_search(services, fresh_directory):
    assert "42101" in [o.code for o in find_offices(services.uow(), "agdal riyad")]
    _edit(services, "42101", name_fr="Bureau d'état civil Zerktouni", search_latin="zerktouni|rabat")
    assert [o.code for o in search_offices(services.uow(), "zerktouni").items] == ["42101"]
    assert "42101" not in [o.code for o in find_offices(services.uow(), "agdal riyad")]


def test_a_closed_office_leaves_the_search_and_the_kept_candidates(services, fresh_directory):
    found = [o.code for o in find_offices(services.uow(), "rabat")]
    assert "42101" in found
    _edit(services, "42101", active=False)
    assert "42101" not in [o.code for o in find_offices(services.uow(), "rabat")]
    assert [o.code for o in kept_offices(services.uow(), found)] == [c for c in found if c != "42101"]


def test_only_fresh_kept_offices_read_the_revision_the_memory_copy_may_be_behind(services, fresh_directory):
    found = [o.code for o in find_offices(services.uow(), "rabat")]
    _edit(services, "42101", active=False)  # the memory copy has every code: without `fresh` it answers alone
    assert "42101" in [o.code for o in kept_offices(services.uow(), ["42101"])]
    assert kept_offices(services.uow(), ["42101"], fresh=True) == ()
    assert [o.code for o in kept_offices(services.uow(), found, fresh=True)] == [c for c in found if c != "42101"]


def test_a_new_office_is_found_and_a_deleted_one_is_not(services):
    with services.uow() as uow:
        uow.add(Office(code="99901", commune_code=uow.get(Office, "42101").commune_code, name_fr="Bureau Tafraout",
                       name_ar="مكتب تافراوت", service_days=3, active=True, search_latin="bureau tafraout",
                       search_arabic="مكتب تافراوت"))
        uow.commit()
    assert [o.code for o in search_offices(services.uow(), "tafraout").items] == ["99901"]
    with services.uow() as uow:
        uow.session.delete(uow.get(Office, "99901"))
        uow.commit()
    assert search_offices(services.uow(), "tafraout").total == 0


def test_kept_candidates_keep_their_order_and_drop_unknown_codes(services):
    found = [o.code for o in find_offices(services.uow(), "casablanca")][:6]
    wanted = [found[3], "nope", found[0], found[5]]
    assert [o.code for o in kept_offices(services.uow(), wanted)] == [found[3], found[0], found[5]]


def test_other_writes_leave_the_directory_revision_alone(services):
    before = _revision(services)
    place_order(services.uow(), services.settings.prices, draft())
    assert _revision(services) == before


def test_a_search_reads_one_small_row_once_the_directory_is_loaded(services):
    find_offices(services.uow(), "rabat")
    seen = []
    note = lambda conn, cursor, statement, *rest: seen.append(statement)  # noqa: E731
    event.listen(services.engine, "before_cursor_execute", note)
    try:
        assert find_offices(services.uow(), "fes")
    finally:
        event.remove(services.engine, "before_cursor_execute", note)
    assert [s for s in seen if "FROM" in s] == [s for s in seen if "FROM directory_revision" in s]
    assert len([s for s in seen if "FROM" in s]) == 1


def test_a_repeated_search_is_ranked_once_per_directory_revision(services, fresh_directory):
    first = find_offices(services.uow(), "Casablanca")
    assert find_offices(services.uow(), "casablanca") is first  # the same folded query: the kept ranking
    _edit(services, first[0].code, name_fr="Bureau d'état civil Casablanca Centre")
    renamed = {o.code: o.name_fr for o in find_offices(services.uow(), "casablanca")}
    assert renamed[first[0].code] == "Bureau d'état civil Casablanca Centre"
