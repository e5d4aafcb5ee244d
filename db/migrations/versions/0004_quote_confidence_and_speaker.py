"""quotes: confidence of the speaker, and the speaker's entity row

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confidence', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('speaker_entity_id', sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_quotes_speaker_entity_id'), ['speaker_entity_id'], unique=False
        )
        batch_op.create_foreign_key(
            'fk_quotes_speaker_entity_id',
            'entities',
            ['speaker_entity_id'],
            ['id'],
        )


def downgrade() -> None:
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.drop_constraint(
            'fk_quotes_speaker_entity_id', type_='foreignkey'
        )
        batch_op.drop_index(batch_op.f('ix_quotes_speaker_entity_id'))
        batch_op.drop_column('speaker_entity_id')
        batch_op.drop_column('confidence')
