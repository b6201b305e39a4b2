"""secrets: a per-user session version (logout, a password change and disabling end every session of the user),
and the hash of an agent's SMS code

Revision ID: 0008
Revises: 0007_inbox
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007_inbox'  # the lead re-chains the migrations of parallel branches at merge
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('agent_code_hash', sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('agent_code_hash')
        batch_op.drop_column('session_version')
