"""simulator_messages: what the simulated phones of the embedded default sent and received, by channel

Revision ID: 0011
Revises: 0007_inbox
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0007_inbox'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('simulator_messages',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('contact', sa.String(length=80), nullable=False),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('provider_message_id', sa.String(length=100), nullable=True),
    sa.Column('session', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_simulator_messages'))
    )
    with op.batch_alter_table('simulator_messages', schema=None) as batch_op:
        batch_op.create_index('ix_simulator_messages_contact', ['contact', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('simulator_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_simulator_messages_contact')
    op.drop_table('simulator_messages')
