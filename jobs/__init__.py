"""RQ job functions: importable, taking ids and plain values, wiring through bootstrap.current()."""
