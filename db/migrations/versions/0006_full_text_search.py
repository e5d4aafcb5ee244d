"""full-text search kept by the database (PostgreSQL tsvector + GIN, SQLite FTS5)

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-02
"""
from alembic import op

from db import fts


revision = '0006'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in fts.upgrade_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in fts.downgrade_statements(op.get_bind().dialect.name):
        op.execute(statement)
