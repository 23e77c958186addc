"""portfolio scans run by the search worker, asked for on the review list or by schedule

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 13:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'overlap_scan_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=20), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('scanned', sa.Integer(), nullable=False),
        sa.Column('skipped', sa.Integer(), nullable=False),
        sa.Column('pairs', sa.Integer(), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'],
                                name=op.f('fk_overlap_scan_run_requested_by_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_overlap_scan_run')),
    )
    with op.batch_alter_table('overlap_scan_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_overlap_scan_run_finished_at'), ['finished_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('overlap_scan_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_overlap_scan_run_finished_at'))
    op.drop_table('overlap_scan_run')
