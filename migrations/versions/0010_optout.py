"""opt-outs: who asked for no more messages on a channel, when and how (STOP, Twilio 21610, AT's opt-out)

Revision ID: 0010
Revises: 0007_inbox
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0007_inbox'  # the lead re-chains the migrations of parallel branches at merge
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('opt_outs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('contact', sa.String(length=80), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('opted_out', sa.Boolean(), nullable=False),
    sa.Column('how', sa.String(length=60), nullable=False),
    sa.Column('opted_out_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opted_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opt_outs')),
    sa.UniqueConstraint('contact', 'channel', name='uq_opt_outs_contact_channel')
    )


def downgrade():
    op.drop_table('opt_outs')
