"""Placeholder until the Rasa fixture lands."""
