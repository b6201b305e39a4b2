"""card_redemption_reads: what a card has paid, what an order has been paid and the recent wrong PINs of a
contact and a card, read with a snapshot of their own, so that a card redemption locks its rows and reads them in
one statement (PostgreSQL only; issue 17)

A query reads with the snapshot its statement began with; when it waited for a row lock, that snapshot misses
what the lock's holder committed meanwhile (another redemption of the same card, another payment of the same
order). A VOLATILE function takes a fresh snapshot for each query it runs, so called on the rows once they are
locked (LATERAL, after FOR UPDATE) it sees everything committed before the locks were granted. It only reads:
the rules stay in payments_sms. PL/pgSQL rather than SQL: it keeps its query's plan for the session, where a SQL
function plans it again at every call.

Revision ID: 0016_card_redemption_reads
Revises: 0014_cards_batch_status
Create Date: 2026-12-03
"""
from alembic import op


revision = '0016_card_redemption_reads'
down_revision = '0014_cards_batch_status'
branch_labels = None
depends_on = None

READS = """
CREATE FUNCTION card_redemption_reads(p_card_id bigint, p_order_id bigint, p_scope0 varchar, p_key0 varchar,
                                      p_scope1 varchar, p_key1 varchar, p_since timestamptz)
RETURNS TABLE (spent bigint, paid bigint, failure_scope varchar, failure_at timestamptz)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RETURN QUERY SELECT s.spent, s.paid, f.scope, f.at
    FROM (SELECT (SELECT coalesce(sum(r.amount), 0) FROM card_redemptions r WHERE r.card_id = p_card_id) AS spent,
                 (SELECT coalesce(sum(p.applied), 0) FROM payments p WHERE p.order_id = p_order_id) AS paid) s
    LEFT JOIN pin_failures f
        ON ((f.scope = p_scope0 AND f.key = p_key0) OR (f.scope = p_scope1 AND f.key = p_key1)) AND f.at > p_since;
END
$$
"""


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(READS)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION card_redemption_reads(bigint, bigint, varchar, varchar, varchar, varchar, '
                   'timestamptz)')
