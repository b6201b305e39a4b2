"""Fixtures shared by the whole suite."""

pytest_plugins = ["tests.rasa_server"]
