"""inbox: provider callbacks stored before they are acknowledged, until a job marks them done; an index on the
SMS replies still queued (their send job may have been lost)

Revision ID: 0007_inbox
Revises: 0002_channels
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_inbox'
down_revision = '0002_channels'  # an incoming SMS's row refers to its record in sms_messages
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('inbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('provider_message_id', sa.String(length=100), nullable=False),
    sa.Column('provider_status', sa.String(length=40), nullable=False),
    sa.Column('sms_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('enqueued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['sms_id'], ['sms_messages.id'], name=op.f('fk_inbox_sms_id_sms_messages'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox')),
    sa.UniqueConstraint('provider', 'kind', 'provider_message_id', 'provider_status', name='uq_inbox_callback')
    )
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.create_index('ix_inbox_waiting', ['done_at', 'enqueued_at'], unique=False)
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.create_index('ix_sms_messages_waiting', ['status', 'updated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_sms_messages_waiting')
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.drop_index('ix_inbox_waiting')
    op.drop_table('inbox')
