"""Conversations with citizens, whatever the channel: flows, sessions, keywords, and the hooks others plug into."""
from .engine import Dialog
from .flows import registry
from .ports import Intent, Ports, Router, Surface, Understand
from .sessions import Session, SessionStore
from .steps import Again, Done, Enter, Flow, Go, Keyword, Retry, Step, Turn, choice, numbered

__all__ = ["Dialog", "registry", "Intent", "Ports", "Router", "Surface", "Understand", "Session", "SessionStore",
           "Again", "Done", "Enter", "Flow", "Go", "Keyword", "Retry", "Step", "Turn", "choice", "numbered"]
