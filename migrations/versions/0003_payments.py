"""payments: premium-SMS payments and charges, prepaid card batches, cards, redemptions, wrong-PIN counters

Revision ID: 0003_payments
Revises: 0001_core
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_payments'
down_revision = '0001_core'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('card_batches',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('exported_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_batches'))
    )
    op.create_table('pin_failures',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('scope', sa.String(length=8), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pin_failures'))
    )
    with op.batch_alter_table('pin_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pin_failures_at'), ['at'], unique=False)
        batch_op.create_index('ix_pin_failures_scope_key_at', ['scope', 'key', 'at'], unique=False)

    op.create_table('cards',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('serial', sa.String(length=16), nullable=False),
    sa.Column('batch_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('pin_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('activated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('blocked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('block_reason', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['card_batches.id'], name=op.f('fk_cards_batch_id_card_batches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cards')),
    sa.UniqueConstraint('pin_hash', name=op.f('uq_cards_pin_hash')),
    sa.UniqueConstraint('serial', name=op.f('uq_cards_serial'))
    )
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cards_batch_id'), ['batch_id'], unique=False)

    op.create_table('card_redemptions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('card_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('contact_key', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_card_redemptions_card_id_cards')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_card_redemptions_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_redemptions'))
    )
    with op.batch_alter_table('card_redemptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_card_redemptions_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_card_redemptions_card_id'), ['card_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_card_redemptions_order_id'), ['order_id'], unique=False)

    op.create_table('premium_payments',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('reference', sa.String(length=10), nullable=False),
    sa.Column('contact', sa.String(length=80), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('short_code', sa.String(length=16), nullable=False),
    sa.Column('keyword', sa.String(length=32), nullable=False),
    sa.Column('link_id', sa.String(length=120), nullable=True),
    sa.Column('price', sa.Integer(), nullable=False),
    sa.Column('messages', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('stop_reason', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_premium_payments_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_premium_payments'))
    )
    with op.batch_alter_table('premium_payments', schema=None) as batch_op:
        batch_op.create_index('ix_premium_payments_contact_status', ['contact', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_premium_payments_order_id'), ['order_id'], unique=False)

    op.create_table('premium_charges',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('payment_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('provider', sa.String(length=24), nullable=False),
    sa.Column('short_code', sa.String(length=16), nullable=False),
    sa.Column('link_id', sa.String(length=120), nullable=True),
    sa.Column('provider_message_id', sa.String(length=120), nullable=True),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('failure_reason', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('final_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_premium_charges_order_id_orders')),
    sa.ForeignKeyConstraint(['payment_id'], ['premium_payments.id'], name=op.f('fk_premium_charges_payment_id_premium_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_premium_charges')),
    sa.UniqueConstraint('provider_message_id', name=op.f('uq_premium_charges_provider_message_id'))
    )
    with op.batch_alter_table('premium_charges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_premium_charges_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_premium_charges_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_premium_charges_payment_id'), ['payment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_premium_charges_status'), ['status'], unique=False)



def downgrade():
    with op.batch_alter_table('premium_charges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_premium_charges_status'))
        batch_op.drop_index(batch_op.f('ix_premium_charges_payment_id'))
        batch_op.drop_index(batch_op.f('ix_premium_charges_order_id'))
        batch_op.drop_index(batch_op.f('ix_premium_charges_created_at'))

    op.drop_table('premium_charges')
    with op.batch_alter_table('premium_payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_premium_payments_order_id'))
        batch_op.drop_index('ix_premium_payments_contact_status')

    op.drop_table('premium_payments')
    with op.batch_alter_table('card_redemptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_card_redemptions_order_id'))
        batch_op.drop_index(batch_op.f('ix_card_redemptions_card_id'))
        batch_op.drop_index(batch_op.f('ix_card_redemptions_at'))

    op.drop_table('card_redemptions')
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cards_batch_id'))

    op.drop_table('cards')
    with op.batch_alter_table('pin_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_pin_failures_scope_key_at')
        batch_op.drop_index(batch_op.f('ix_pin_failures_at'))

    op.drop_table('pin_failures')
    op.drop_table('card_batches')
