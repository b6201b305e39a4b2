"""The application factory, /healthz, the CLI and configuration rules."""
from pathlib import Path

import pytest

from app import create_app
from settings import ConfigError, Settings


def test_healthz_reports_database_and_redis(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_healthz_says_so_when_the_database_is_down(app, services, monkeypatch):
    def broken():
        raise ConnectionError("down")
    monkeypatch.setattr(services, "_ping_database", broken)
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503 and answer.get_json()["database"] == "down"


def test_an_unknown_path_answers_json_404_not_a_crash(client):
    answer = client.get("/no/such/page")
    assert answer.status_code == 404 and answer.get_json()["error"] == "not_found"


def test_the_factory_starts_with_no_configuration_at_all(tmp_path, monkeypatch):
    for name in ("DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    app = create_app({"instance_path": str(tmp_path), "env": "test"})
    services = app.extensions["shubbak"]
    assert services.settings.database_url.startswith("sqlite:///") and services.settings.embedded_redis


PRODUCTION = {"SHUBBAK_ENV": "production", "SHUBBAK_SECRET_KEY": "s" * 40, "SHUBBAK_AT_WEBHOOK_KEYS": "k" * 32,
              "SHUBBAK_TWILIO_AUTH_TOKEN": "t" * 32, "DATABASE_URL": "postgresql://db/x", "REDIS_URL": "redis://r/0",
              "SHUBBAK_CARD_PIN_SECRET": "p" * 40, "SHUBBAK_PUBLIC_BASE_URL": "https://shubbak.example.ma"}


@pytest.mark.parametrize("missing", ["SHUBBAK_SECRET_KEY", "SHUBBAK_AT_WEBHOOK_KEYS", "SHUBBAK_TWILIO_AUTH_TOKEN",
                                     "DATABASE_URL", "REDIS_URL", "SHUBBAK_CARD_PIN_SECRET"])
def test_production_refuses_to_start_without_its_secrets(missing):
    env = dict(PRODUCTION)
    assert Settings.from_env(env).production
    del env[missing]
    with pytest.raises(ConfigError, match=missing):
        Settings.from_env(env)


def test_a_short_webhook_key_is_refused_in_production():
    with pytest.raises(ConfigError, match="SHUBBAK_AT_WEBHOOK_KEYS: needs at least 32 characters.*128 bits"):
        Settings.from_env({**PRODUCTION, "SHUBBAK_AT_WEBHOOK_KEYS": "short"})


@pytest.mark.parametrize(("changes", "refusal"), [
    ({"SHUBBAK_SECRET_KEY": "x"}, "SHUBBAK_SECRET_KEY: is a known default value"),
    ({"SHUBBAK_SECRET_KEY": "s" * 31}, "SHUBBAK_SECRET_KEY: needs at least 32 characters"),
    ({"SHUBBAK_CARD_PIN_SECRET": "1"}, "SHUBBAK_CARD_PIN_SECRET: is a known default value"),
    ({"SHUBBAK_CARD_PIN_SECRET": "embedded-card-pin-secret-not-for-production"}, "SHUBBAK_CARD_PIN_SECRET: must be set"),
    ({"SHUBBAK_TWILIO_AUTH_TOKEN": "t" * 20}, "SHUBBAK_TWILIO_AUTH_TOKEN: needs at least 32"),
    ({"SHUBBAK_AT_WEBHOOK_KEYS": "s" * 40}, "SHUBBAK_AT_WEBHOOK_KEYS: must differ from SHUBBAK_SECRET_KEY"),
    ({"SHUBBAK_KANNEL_WEBHOOK_KEYS": "short"}, "SHUBBAK_KANNEL_WEBHOOK_KEYS: needs at least 32 characters"),
    ({"SHUBBAK_KANNEL_WEBHOOK_KEYS": "k" * 32}, "SHUBBAK_KANNEL_WEBHOOK_KEYS: must differ from SHUBBAK_AT_WEBHOOK_KEYS"),
    ({"SHUBBAK_CARD_PIN_SECRET": "s" * 40}, "SHUBBAK_CARD_PIN_SECRET: must differ from SHUBBAK_SECRET_KEY"),
    ({"SHUBBAK_PUBLIC_BASE_URL": "http://shubbak.example.ma"}, "SHUBBAK_PUBLIC_BASE_URL: must be an https:// URL"),
    ({"SHUBBAK_SIMULATOR": "1"}, "SHUBBAK_SIMULATOR: the phone simulator is refused in production"),
], ids=["known-default", "short-secret", "pin-secret-1", "pin-secret-embedded", "short-token", "key-reused",
        "short-kannel-key", "kannel-key-reused",
        "pin-secret-reused", "http-url", "simulator"])
def test_production_refuses_weak_settings_naming_the_variable_and_the_rule(changes, refusal):
    assert Settings.from_env(PRODUCTION).production
    with pytest.raises(ConfigError, match=refusal):
        Settings.from_env({**PRODUCTION, **changes})


def test_a_malformed_number_in_the_environment_is_named():
    with pytest.raises(ConfigError, match="SHUBBAK_FEE_BASE"):
        Settings.from_env({"SHUBBAK_FEE_BASE": "ten"})


def test_seed_demo_creates_every_role_and_every_resting_state_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    for role in ("agent", "supervisor", "inspector", "support", "finance", "admin"):
        assert f"demo-{role} password shubbak-demo" in first.output
    for state in ("awaiting_payment", "received", "in_progress", "ready", "dispatched", "delivered", "rejected",
                  "returned", "cancelled"):
        assert f" {state}" in first.output
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "order " not in again.output and "(exists" in again.output


def test_create_user_refuses_bad_input_with_a_usage_error(app):
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["create-user", "x", "--role", "pilot", "--password", "pw"])
    assert bad.exit_code == 2 and "role" in bad.output
    good = runner.invoke(args=["create-user", "amina", "--role", "agent", "--office", "42101", "--password", "pw",
                               "--phone", "0612345678"])
    assert good.exit_code == 0 and "created agent amina" in good.output


def test_the_readme_configuration_table_shows_the_new_variables_and_the_production_refusals():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for name in ("SHUBBAK_SIMULATOR", "SHUBBAK_LOGIN_LIMIT", "SHUBBAK_LOGIN_ACCOUNT_FAILURES", "SHUBBAK_LOGIN_SLOW_LIMIT",
                 "SHUBBAK_WEBHOOK_PHONE_LIMIT", "SHUBBAK_SIMULATOR_LIMIT", "SHUBBAK_AGENT_CODE_HOURS",
                 "SHUBBAK_RETENTION_DAYS"):
        assert f"| `{name}`" in readme or f", `{name}`" in readme, name
        assert hasattr(Settings(), name.removeprefix("SHUBBAK_").lower()), name
    assert "shorter than 32 characters" in readme and "not `https://`" in readme
