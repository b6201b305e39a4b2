"""The access matrix: every role (and an anonymous visitor) against every page and action of the staff view.

A cell says what the role gets: "ok" (the page, or the action's redirect), "refused" (403: not this role's page),
"hidden" (404: the object belongs to another office or province, and is not even shown to exist), or "login".
Actions are posted with forms the service refuses (a bad barcode, an unknown office...) wherever a success would
change what later rows see: the matrix is about who gets in, the other test files about what the actions do.
"""
import pytest

from .conftest import StaffClient

ROLES = ("agent", "supervisor", "inspector", "support", "finance", "admin")
OFFICE = frozenset({"agent", "supervisor"})
ORDER_VIEWERS = OFFICE | {"inspector", "support"}
HANDLERS = frozenset({"inspector", "support"})


def rows(w, people):
    """(method, path, form, roles allowed, roles for whom the object is hidden)."""
    own, neighbour, foreign = w.own.id, w.neighbour.id, w.foreign.id
    escalation, agent = w.escalation.id, people["agent"].id
    return [
        ("GET", "/staff/", None, set(ROLES), ()),
        ("GET", "/staff/queue", None, OFFICE, ()),
        ("GET", "/staff/queue?stage=received", None, OFFICE, ()),
        ("GET", f"/staff/find?ref={w.own.reference}", None, OFFICE, ()),
        ("GET", f"/staff/find?ref={w.foreign.reference}", None, OFFICE, ()),
        ("GET", "/staff/workload", None, {"supervisor"}, ()),
        ("GET", "/staff/sms-code", None, OFFICE, ()),
        ("POST", "/staff/sms-code", {"code": "4821"}, OFFICE, ()),
        ("GET", f"/staff/orders/{own}", None, ORDER_VIEWERS, ()),
        ("GET", f"/staff/orders/{neighbour}", None, ORDER_VIEWERS, OFFICE),
        ("GET", f"/staff/orders/{foreign}", None, ORDER_VIEWERS, OFFICE | {"inspector"}),
        ("GET", "/staff/orders/999999", None, ORDER_VIEWERS, ORDER_VIEWERS),
        ("GET", f"/staff/orders/{own}/cover", None, OFFICE, ()),
        ("GET", f"/staff/orders/{foreign}/cover", None, OFFICE, OFFICE),
        ("GET", "/staff/inspection", None, {"inspector"}, ()),
        ("GET", "/staff/inspection?days=7", None, {"inspector"}, ()),
        ("GET", "/staff/complaints", None, HANDLERS, ()),
        ("GET", "/staff/complaints?closed=1", None, HANDLERS, ()),
        ("GET", "/staff/escalations", None, {"support"}, ()),
        ("GET", f"/staff/escalations/{escalation}", None, {"support"}, ()),
        ("GET", f"/staff/lookup?q={w.own.reference}", None, {"support"}, ()),
        ("GET", "/staff/lookup?q=0612345678", None, {"support"}, ()),
        ("POST", "/staff/lookup", {"q": "0612345678"}, {"support"}, ()),
        ("GET", "/staff/finance", None, {"finance"}, ()),
        ("GET", "/staff/finance/means.csv", None, {"finance"}, ()),
        ("GET", "/staff/finance/credits.csv", None, {"finance"}, ()),
        ("GET", "/staff/finance/credit-balances.csv", None, {"finance"}, ()),
        ("GET", "/staff/finance/cards", None, {"finance"}, ()),
        ("GET", "/staff/finance/reconciliation", None, {"finance"}, ()),
        ("GET", "/staff/finance/reconciliation.csv", None, {"finance"}, ()),
        ("GET", "/staff/admin/users", None, {"admin"}, ()),
        ("GET", f"/staff/admin/users/{agent}", None, {"admin"}, ()),
        ("GET", "/staff/admin/offices", None, {"admin"}, ()),
        ("GET", "/staff/admin/offices/42101", None, {"admin"}, ()),
        # Actions on orders: another office's order is hidden from the office roles, refused to the rest.
        ("POST", f"/staff/orders/{foreign}/take", {}, OFFICE, OFFICE),
        ("POST", f"/staff/orders/{neighbour}/take", {}, OFFICE, OFFICE),
        ("POST", f"/staff/orders/{foreign}/dispatch", {"barcode": "RR123456785MA"}, OFFICE, OFFICE),
        ("POST", f"/staff/orders/{own}/take", {}, OFFICE, ()),
        ("POST", f"/staff/orders/{own}/advance", {"target": "ready"}, OFFICE, ()),
        ("POST", f"/staff/orders/{own}/reject", {"reason": "no-such-reason"}, OFFICE, ()),
        ("POST", f"/staff/orders/{own}/dispatch", {"barcode": "not a barcode"}, OFFICE, ()),
        ("POST", f"/staff/orders/{own}/reassign", {"office_code": "99999", "reason": "x"}, OFFICE, ()),
        # Complaints: the province's production complaints are the inspector's, the others support's.
        ("POST", f"/staff/complaints/{w.production_complaint.reference}/move", {"target": "in_progress"},
         HANDLERS, {"support"}),
        ("POST", f"/staff/complaints/{w.foreign_complaint.reference}/move", {"target": "in_progress"},
         HANDLERS, HANDLERS),
        ("POST", f"/staff/complaints/{w.support_complaint.reference}/move", {"target": "in_progress"},
         HANDLERS, {"inspector"}),
        ("POST", f"/staff/escalations/{escalation}/reply", {"text": "Bonjour, nous regardons."}, {"support"}, ()),
        ("POST", f"/staff/escalations/{escalation}/close", {}, {"support"}, ()),
        ("POST", "/staff/finance/cards/generate", {"value": "1", "size": "1"}, {"finance"}, ()),
        ("POST", "/staff/finance/cards/activate", {"batch_id": "424242"}, {"finance"}, ()),
        ("POST", "/staff/finance/cards/block", {"batch_id": "424242", "reason": "lost"}, {"finance"}, ()),
        ("POST", "/staff/admin/users", {"username": "x"}, {"admin"}, ()),
        ("POST", f"/staff/admin/users/{agent}", {"role": "nobody"}, {"admin"}, ()),
        ("POST", "/staff/admin/offices", {"code": "x"}, {"admin"}, ()),
        ("POST", "/staff/admin/offices/42101", {"name_fr": ""}, {"admin"}, ()),
    ]


def expected(role, allowed, hidden) -> str:
    if role is None:
        return "login"
    if role not in allowed:
        return "refused"
    return "hidden" if role in hidden else "ok"


def outcome(response) -> str:
    if response.status_code == 302 and response.location.startswith("/staff/login"):
        return "login"
    # 422: the action was open to this role, its input was refused (the page comes back with what was typed).
    return {200: "ok", 302: "ok", 422: "ok", 403: "refused", 404: "hidden"}.get(response.status_code,
                                                                     f"status {response.status_code}")


@pytest.mark.parametrize("role", [*ROLES, None], ids=[*ROLES, "anonymous"])
def test_each_role_gets_exactly_the_pages_and_actions_designed_for_it(app, people, world, role):
    desk = StaffClient(app.test_client())
    if role is not None:
        assert desk.login(role).status_code == 302
    table = rows(world, people)
    got, wanted = {}, {}
    for method, path, form, allowed, hidden in table:
        response = desk.get(path) if method == "GET" else desk.post(path, form)
        got[f"{method} {path}"] = outcome(response)
        wanted[f"{method} {path}"] = expected(role, allowed, hidden)
    assert got == wanted


def test_the_matrix_covers_every_staff_page_and_action(app, people, world):
    """A new staff route fails this test until the matrix says who may use it."""
    covered = set()
    for method, path, *_ in rows(world, people):
        adapter = app.url_map.bind("localhost")
        endpoint, _ = adapter.match(path.split("?")[0], method=method)
        covered.add((endpoint, method))
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules() if rule.endpoint.startswith("staff.")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    public = {("staff.static", "GET"), ("staff.auth.login", "GET"), ("staff.auth.login", "POST"),
              ("staff.auth.language", "POST"), ("staff.auth.logout", "POST")}  # tested in test_auth
    assert routes - public - covered == set()


def test_a_staff_view_without_an_access_rule_is_closed_to_everyone(app, logged_in):
    # Registered on the staff blueprint's request handling: a view someone forgot to guard.
    app.view_functions["staff.office.queue"] = lambda: "open to all"
    assert logged_in("agent").get("/staff/queue").status_code == 403
