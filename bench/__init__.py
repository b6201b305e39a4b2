"""Benchmarks: each module is one command (`python -m bench.<name>`) that prints its figures, then `ratio=…`.

ussd, sms, notifications, cards, memory; see bench/README.md. The rest is their harness: stack (the servers
under test on storage of their own), load (the load process), webrun, rq_worker, orders, figures, baseline_app.
"""
