"""order core

Revision ID: 0001_core
Revises: 
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa


revision = '0001_core'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('topic', sa.String(length=48), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('enqueued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_pending', ['done_at', 'enqueued_at'], unique=False)

    op.create_table('regions',
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('name_fr', sa.String(length=120), nullable=False),
    sa.Column('name_ar', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_regions'))
    )
    op.create_table('provinces',
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('region_code', sa.String(length=8), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name_fr', sa.String(length=120), nullable=False),
    sa.Column('name_ar', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_provinces_region_code_regions')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_provinces'))
    )
    with op.batch_alter_table('provinces', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provinces_region_code'), ['region_code'], unique=False)

    op.create_table('communes',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('province_code', sa.String(length=8), nullable=False),
    sa.Column('name_fr', sa.String(length=120), nullable=False),
    sa.Column('name_ar', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['province_code'], ['provinces.code'], name=op.f('fk_communes_province_code_provinces')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_communes'))
    )
    with op.batch_alter_table('communes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_communes_province_code'), ['province_code'], unique=False)

    op.create_table('offices',
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('commune_code', sa.String(length=16), nullable=False),
    sa.Column('name_fr', sa.String(length=160), nullable=False),
    sa.Column('name_ar', sa.String(length=160), nullable=False),
    sa.Column('arrondissement_fr', sa.String(length=120), nullable=True),
    sa.Column('arrondissement_ar', sa.String(length=120), nullable=True),
    sa.Column('service_days', sa.Integer(), nullable=False),
    sa.Column('search_latin', sa.Text(), nullable=False),
    sa.Column('search_arabic', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['commune_code'], ['communes.code'], name=op.f('fk_offices_commune_code_communes')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_offices'))
    )
    with op.batch_alter_table('offices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offices_commune_code'), ['commune_code'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('office_code', sa.String(length=8), nullable=True),
    sa.Column('province_code', sa.String(length=8), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['office_code'], ['offices.code'], name=op.f('fk_users_office_code_offices')),
    sa.ForeignKeyConstraint(['province_code'], ['provinces.code'], name=op.f('fk_users_province_code_provinces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_office_code'), ['office_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_users_phone'), ['phone'], unique=False)

    op.create_table('orders',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('reference', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('office_code', sa.String(length=8), nullable=False),
    sa.Column('record_office_code', sa.String(length=8), nullable=False),
    sa.Column('act_number', sa.String(length=12), nullable=False),
    sa.Column('record_year', sa.Integer(), nullable=False),
    sa.Column('year_calendar', sa.String(length=10), nullable=False),
    sa.Column('family_name_latin', sa.String(length=80), nullable=True),
    sa.Column('first_name_latin', sa.String(length=80), nullable=True),
    sa.Column('family_name_ar', sa.String(length=80), nullable=True),
    sa.Column('first_name_ar', sa.String(length=80), nullable=True),
    sa.Column('father_first_name', sa.String(length=80), nullable=True),
    sa.Column('mother_full_name', sa.String(length=160), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('requester_contact', sa.String(length=80), nullable=False),
    sa.Column('requester_phone', sa.String(length=20), nullable=True),
    sa.Column('requester_relation', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('delivery_zone', sa.String(length=8), nullable=False),
    sa.Column('delivery_country', sa.String(length=2), nullable=False),
    sa.Column('delivery_recipient', sa.String(length=120), nullable=True),
    sa.Column('delivery_address', sa.String(length=400), nullable=True),
    sa.Column('delivery_city', sa.String(length=80), nullable=True),
    sa.Column('delivery_postal_code', sa.String(length=16), nullable=True),
    sa.Column('price_base', sa.Integer(), nullable=False),
    sa.Column('price_copies', sa.Integer(), nullable=False),
    sa.Column('price_postage', sa.Integer(), nullable=False),
    sa.Column('price_top_up', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('barcode', sa.String(length=32), nullable=True),
    sa.Column('rejection_reason', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_orders_agent_id_users')),
    sa.ForeignKeyConstraint(['office_code'], ['offices.code'], name=op.f('fk_orders_office_code_offices')),
    sa.ForeignKeyConstraint(['record_office_code'], ['offices.code'], name=op.f('fk_orders_record_office_code_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders')),
    sa.UniqueConstraint('reference', name=op.f('uq_orders_reference'))
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_office_code'), ['office_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_requester_contact'), ['requester_contact'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_requester_phone'), ['requester_phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_status'), ['status'], unique=False)

    op.create_table('complaints',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('reference', sa.String(length=10), nullable=False),
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('contact', sa.String(length=80), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('assignee_role', sa.String(length=16), nullable=False),
    sa.Column('province_code', sa.String(length=8), nullable=True),
    sa.Column('assignee_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('resolution_note', sa.Text(), nullable=True),
    sa.Column('attachments', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_complaints_assignee_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_complaints_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints')),
    sa.UniqueConstraint('reference', name=op.f('uq_complaints_reference'))
    )
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaints_contact'), ['contact'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_province_code'), ['province_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_status'), ['status'], unique=False)

    op.create_table('credit_entries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account', sa.String(length=80), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_credit_entries_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_entries'))
    )
    with op.batch_alter_table('credit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_entries_account'), ['account'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_entries_order_id'), ['order_id'], unique=False)

    op.create_table('escalations',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('contact', sa.String(length=80), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('assignee_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_escalations_assignee_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_escalations_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalations'))
    )
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalations_contact'), ['contact'], unique=False)
        batch_op.create_index(batch_op.f('ix_escalations_status'), ['status'], unique=False)

    op.create_table('order_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.String(length=80), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('office_code', sa.String(length=8), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_events_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_events'))
    )
    with op.batch_alter_table('order_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_events_order_id'), ['order_id'], unique=False)

    op.create_table('order_lines',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('document', sa.String(length=16), nullable=False),
    sa.Column('copies', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_lines_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_lines'))
    )
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_lines_order_id'), ['order_id'], unique=False)

    op.create_table('payments',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('means', sa.String(length=16), nullable=False),
    sa.Column('source_ref', sa.String(length=80), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('applied', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_payments_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
    sa.UniqueConstraint('means', 'source_ref', name='uq_payments_source')
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_order_id'), ['order_id'], unique=False)

    op.create_table('complaint_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('complaint_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.String(length=80), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_complaint_events_complaint_id_complaints')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_events'))
    )
    with op.batch_alter_table('complaint_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_events_complaint_id'), ['complaint_id'], unique=False)

    op.create_table('escalation_messages',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('escalation_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('author', sa.String(length=80), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['escalation_id'], ['escalations.id'], name=op.f('fk_escalation_messages_escalation_id_escalations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation_messages'))
    )
    with op.batch_alter_table('escalation_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalation_messages_escalation_id'), ['escalation_id'], unique=False)



def downgrade():
    with op.batch_alter_table('escalation_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalation_messages_escalation_id'))

    op.drop_table('escalation_messages')
    with op.batch_alter_table('complaint_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_events_complaint_id'))

    op.drop_table('complaint_events')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_order_id'))

    op.drop_table('payments')
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_lines_order_id'))

    op.drop_table('order_lines')
    with op.batch_alter_table('order_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_events_order_id'))

    op.drop_table('order_events')
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalations_status'))
        batch_op.drop_index(batch_op.f('ix_escalations_contact'))

    op.drop_table('escalations')
    with op.batch_alter_table('credit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_entries_order_id'))
        batch_op.drop_index(batch_op.f('ix_credit_entries_account'))

    op.drop_table('credit_entries')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaints_status'))
        batch_op.drop_index(batch_op.f('ix_complaints_province_code'))
        batch_op.drop_index(batch_op.f('ix_complaints_order_id'))
        batch_op.drop_index(batch_op.f('ix_complaints_contact'))

    op.drop_table('complaints')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_status'))
        batch_op.drop_index(batch_op.f('ix_orders_requester_phone'))
        batch_op.drop_index(batch_op.f('ix_orders_requester_contact'))
        batch_op.drop_index(batch_op.f('ix_orders_office_code'))

    op.drop_table('orders')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_phone'))
        batch_op.drop_index(batch_op.f('ix_users_office_code'))

    op.drop_table('users')
    with op.batch_alter_table('offices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offices_commune_code'))

    op.drop_table('offices')
    with op.batch_alter_table('communes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_communes_province_code'))

    op.drop_table('communes')
    with op.batch_alter_table('provinces', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provinces_region_code'))

    op.drop_table('provinces')
    op.drop_table('regions')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_pending')

    op.drop_table('outbox')
