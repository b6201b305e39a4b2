"""Conversations with citizens, whatever the channel: flows, sessions, keywords, and the hooks others plug into."""
from .engine import Dialog
from .flows import registry
from .ports import Intent, Ports, Router, Surface, Understand
from .sessions import Session, SessionStore
from .steps import Done, Enter, Flow, Go, Keyword, Retry, Step, Turn

__all__ = ["Dialog", "registry", "Intent", "Ports", "Router", "Surface", "Understand", "Session", "SessionStore",
           "Done", "Enter", "Flow", "Go", "Keyword", "Retry", "Step", "Turn"]
