"""The Rasa fixture skips, saying why, when the NLU service cannot be prepared."""
from __future__ import annotations

import stat

import pytest

from tests import rasa_server


def fake_setup(directory, exit_code: int, message: str) -> None:
    script = directory / "setup.sh"
    script.write_text(f"#!/bin/sh\necho '{message}' >&2\nexit {exit_code}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


@pytest.mark.parametrize(
    ("exit_code", "expected"),
    [(3, "no Python 3.10"), (1, "exit 1")],
)
def test_a_failed_setup_skips_with_its_reason(tmp_path, monkeypatch, exit_code, expected):
    fake_setup(tmp_path, exit_code, "pip could not reach the index")
    monkeypatch.setattr(rasa_server, "NLU_DIR", tmp_path)

    with pytest.raises(pytest.skip.Exception) as skipped:
        rasa_server.prepare_or_skip()

    assert expected in str(skipped.value)
    assert "pip could not reach the index" in str(skipped.value)


def test_a_successful_setup_does_not_skip(tmp_path, monkeypatch):
    fake_setup(tmp_path, 0, "model up to date")
    monkeypatch.setattr(rasa_server, "NLU_DIR", tmp_path)

    rasa_server.prepare_or_skip()
