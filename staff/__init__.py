"""The staff web view: queues, stages, complaints, escalations, figures."""
