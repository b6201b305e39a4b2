"""cards_batch_status: the card-batch page counts each batch's cards by status from an index alone, however many
cards were printed (issue 17)

Revision ID: 0014_cards_batch_status
Revises: 0003_payments
Create Date: 2026-12-03
"""
from alembic import op


revision = '0014_cards_batch_status'
down_revision = '0003_payments'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_cards_batch_status', 'cards', ['batch_id', 'status'], unique=False)


def downgrade():
    op.drop_index('ix_cards_batch_status', table_name='cards')
