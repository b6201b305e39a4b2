"""card_batch_counts: each batch keeps how many of its cards are printed, active and blocked, so that the card-batch
page reads its rows and counts no card, however many were printed (issue 17)

Revision ID: 0017_card_batch_counts
Revises: 0014_cards_batch_status
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op


revision = '0017_card_batch_counts'
down_revision = '0014_cards_batch_status'
branch_labels = None
depends_on = None

STATUSES = ('printed', 'active', 'blocked')


def upgrade():
    with op.batch_alter_table('card_batches') as batch_op:
        for status in STATUSES:
            batch_op.add_column(sa.Column(f'{status}_cards', sa.Integer(), nullable=False, server_default='0'))
    # The batches printed before: counted once from their cards.
    op.execute('UPDATE card_batches SET ' + ', '.join(
        f"{status}_cards = (SELECT count(*) FROM cards WHERE cards.batch_id = card_batches.id "
        f"AND cards.status = '{status}')" for status in STATUSES))


def downgrade():
    with op.batch_alter_table('card_batches') as batch_op:
        for status in STATUSES:
            batch_op.drop_column(f'{status}_cards')
