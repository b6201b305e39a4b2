"""hotpaths: the office directory's revision, bumped with every change to an office, so that each process's
in-memory search index knows when to reload (issue 17)

Revision ID: 0013_hotpaths
Revises: 0007_inbox
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


revision = '0013_hotpaths'
down_revision = '0007_inbox'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table('directory_revision',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_revision'))
    )
    op.bulk_insert(table, [{'id': 1, 'revision': 0}])


def downgrade():
    op.drop_table('directory_revision')
