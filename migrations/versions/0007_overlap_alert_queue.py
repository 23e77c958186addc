"""overlap alert queue: alerts are sent by the worker, not in the save's request

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 11:10:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'overlap_alert',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entity', sa.String(length=30), nullable=False),
        sa.Column('entity_id', sa.Integer(), nullable=False),
        sa.Column('base_url', sa.String(length=300), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_overlap_alert')),
    )
    with op.batch_alter_table('overlap_alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_overlap_alert_next_attempt_at'), ['next_attempt_at'],
                              unique=False)
        batch_op.create_index('ix_overlap_alert_entity', ['entity', 'entity_id'], unique=False)


def downgrade():
    with op.batch_alter_table('overlap_alert', schema=None) as batch_op:
        batch_op.drop_index('ix_overlap_alert_entity')
        batch_op.drop_index(batch_op.f('ix_overlap_alert_next_attempt_at'))
    op.drop_table('overlap_alert')
