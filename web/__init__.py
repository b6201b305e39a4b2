"""Flask entrypoints: health, errors, CLI. Webhooks and the staff view live in their own blueprints."""
