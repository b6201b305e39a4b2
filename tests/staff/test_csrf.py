"""CSRF: every form of the app needs the session's token, except the machines' blueprints (webhooks, simulator)."""
import pytest
from flask import Blueprint, Flask

from orders_core.model import Order
from staff.web import register

from .conftest import PASSWORD, StaffClient


def test_a_login_without_the_token_is_refused(client, people):
    response = client.post("/staff/login", data={"username": "agent", "password": PASSWORD})
    assert response.status_code == 400
    assert "Ce formulaire a expiré" in response.get_data(as_text=True)
    assert client.get("/staff/queue").location.startswith("/staff/login")


def test_an_action_without_the_token_is_refused_and_changes_nothing(services, people, world, logged_in):
    desk = logged_in("agent")
    assert desk.client.post(f"/staff/orders/{world.own.id}/take").status_code == 400
    with services.uow() as uow:
        assert uow.get(Order, world.own.id).status == "received"
    assert desk.post(f"/staff/orders/{world.own.id}/take").status_code == 302  # the same post with its token


def test_a_token_from_another_session_is_refused(services, people, world, app, logged_in):
    stranger = StaffClient(app.test_client())
    foreign_token = stranger.token()
    desk = logged_in("agent")
    response = desk.client.post(f"/staff/orders/{world.own.id}/take", data={"csrf_token": foreign_token})
    assert response.status_code == 400


def test_logging_out_needs_the_token_too(people, logged_in):
    desk = logged_in("agent")
    assert desk.client.post("/staff/logout").status_code == 400
    assert desk.get("/staff/queue").status_code == 200


@pytest.fixture
def bare_app(services):
    """An app holding only the staff view, so that test blueprints can take the machines' names."""
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "test"
    app.extensions["shubbak"] = services
    register(app)
    return app


def _receiver(app, name):
    bp = Blueprint(name, __name__, url_prefix=f"/{name}")
    bp.add_url_rule("/in", "receive", lambda: "accepted", methods=["POST"])
    app.register_blueprint(bp)


def test_the_webhooks_and_the_simulator_are_exempt_even_when_registered_later(bare_app):
    for name in ("webhooks", "simulator"):
        _receiver(bare_app, name)
    client = bare_app.test_client()
    assert client.post("/webhooks/in", data={"text": "hello"}).get_data(as_text=True) == "accepted"
    assert client.post("/simulator/in", data={"text": "hello"}).status_code == 200


def test_any_other_blueprint_is_protected(bare_app):
    _receiver(bare_app, "elsewhere")
    assert bare_app.test_client().post("/elsewhere/in", data={"text": "hello"}).status_code == 400
