"""growth: indexes that keep the staff pages, the reports and the retention job bounded by their period, whatever
the history held (issue 17)

Revision ID: 0012_growth
Revises: 0007_inbox
Create Date: 2026-12-03
"""
from alembic import op


revision = '0012_growth'
down_revision = '0007_inbox'
branch_labels = None
# The tables indexed here are made by these branches too.
depends_on = ('0003_payments', '0006_notification_variables')

# (table, index name, columns)
INDEXES = (
    ('orders', 'ix_orders_paid_at', ['paid_at']),
    ('orders', 'ix_orders_created_at', ['created_at']),
    ('orders', 'ix_orders_office_status', ['office_code', 'status']),
    ('orders', 'ix_orders_office_created', ['office_code', 'created_at']),
    ('order_events', 'ix_order_events_office_at', ['office_code', 'at']),
    ('payments', 'ix_payments_at', ['at']),
    ('credit_entries', 'ix_credit_entries_at', ['at']),
    ('premium_charges', 'ix_premium_charges_final_at', ['final_at']),
    ('notification_messages', 'ix_notification_messages_updated_at', ['updated_at']),
    ('agent_notices', 'ix_agent_notices_message_id', ['message_id']),
    ('complaints', 'ix_complaints_status_created', ['status', 'created_at']),
)


def upgrade():
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for table, name, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
