"""cluster merges: the ids of clusters folded into an older one by a bridging copy

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cluster_merges',
    sa.Column('old_id', sa.Integer(), nullable=False),
    sa.Column('into_id', sa.Integer(), nullable=False),
    sa.Column('by_article_id', sa.Integer(), nullable=True),
    sa.Column('merged_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('old_id')
    )
    with op.batch_alter_table('cluster_merges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cluster_merges_into_id'), ['into_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('cluster_merges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cluster_merges_into_id'))
    op.drop_table('cluster_merges')
