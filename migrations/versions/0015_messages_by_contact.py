"""messages_by_contact: a support conversation's page reads one person's notifications by an index, not by
scanning every message kept

Revision ID: 0015_messages_by_contact
Revises: 0004_notifications
Create Date: 2026-12-03
"""
from alembic import op


revision = '0015_messages_by_contact'
down_revision = '0004_notifications'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_notification_messages_contact_kind', 'notification_messages', ['contact', 'kind'],
                    unique=False)


def downgrade():
    op.drop_index('ix_notification_messages_contact_kind', table_name='notification_messages')
