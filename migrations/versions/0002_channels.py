"""channels and dialog: SMS conversation records, contacts and their language

Revision ID: 0002_channels
Revises: 0001_core
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_channels'
down_revision = '0001_core'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sms_messages',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('contact', sa.String(length=80), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('segments', sa.Integer(), nullable=False),
    sa.Column('encoding', sa.String(length=8), nullable=False),
    sa.Column('provider', sa.String(length=32), nullable=True),
    sa.Column('provider_message_id', sa.String(length=100), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.String(length=120), nullable=True),
    sa.Column('reply_to', sa.String(length=140), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_messages')),
    sa.UniqueConstraint('reply_to', name=op.f('uq_sms_messages_reply_to'))
    )
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sms_messages_contact'), ['contact'], unique=False)
        batch_op.create_index('ix_sms_messages_provider_message', ['provider', 'provider_message_id'], unique=False)

    op.create_table('contacts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('contact', sa.String(length=80), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=True),
    sa.Column('language_session', sa.String(length=100), nullable=True),
    sa.Column('last_inbound_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts')),
    sa.UniqueConstraint('contact', name=op.f('uq_contacts_contact'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_phone'), ['phone'], unique=False)


def downgrade():
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_phone'))
    op.drop_table('contacts')
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_sms_messages_provider_message')
        batch_op.drop_index(batch_op.f('ix_sms_messages_contact'))
    op.drop_table('sms_messages')
