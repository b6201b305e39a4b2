"""whatsapp: the WhatsApp identity of a contact and the start of its 24-hour window

Revision ID: 0005_whatsapp
Revises: 0001_core
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_whatsapp'
down_revision = '0001_core'
branch_labels = None
depends_on = '0002_channels'  # the contacts table


def upgrade():
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('whatsapp_address', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('wa_id', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('external_user_id', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('whatsapp_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_contacts_external_user_id'), ['external_user_id'])


def downgrade():
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_contacts_external_user_id'), type_='unique')
        batch_op.drop_column('whatsapp_at')
        batch_op.drop_column('external_user_id')
        batch_op.drop_column('wa_id')
        batch_op.drop_column('whatsapp_address')
