"""notification variables: the values a message was written with, for a WhatsApp template chosen at send time

Revision ID: 0006_notification_variables
Revises: 0004_notifications
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_notification_variables'
down_revision = '0004_notifications'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('variables', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('notification_messages', schema=None) as batch_op:
        batch_op.drop_column('variables')
