"""research-priority coverage: Reallabore get priority tags, stored text matches of the
coverage computation, rejected suggested tags

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'lab_priority',
        sa.Column('real_world_lab_id', sa.Integer(), nullable=False),
        sa.Column('research_priority_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['real_world_lab_id'], ['real_world_lab.id'],
                                name=op.f('fk_lab_priority_real_world_lab_id_real_world_lab'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['research_priority_id'], ['research_priority.id'],
                                name=op.f('fk_lab_priority_research_priority_id_research_priority'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('real_world_lab_id', 'research_priority_id',
                                name=op.f('pk_lab_priority')),
    )
    op.create_table(
        'coverage_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('text_matching', sa.Boolean(), nullable=False),
        sa.Column('records', sa.Integer(), nullable=False),
        sa.Column('priorities', sa.Integer(), nullable=False),
        sa.Column('seconds', sa.Float(), nullable=False),
        sa.Column('thresholds', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_coverage_run')),
    )
    op.create_table(
        'priority_match',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('priority_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('ressort', sa.String(length=20), nullable=True),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('terms', sa.JSON(), nullable=False),
        sa.CheckConstraint("kind IN ('project', 'lab')", name=op.f('ck_priority_match_kind')),
        sa.ForeignKeyConstraint(['priority_id'], ['research_priority.id'],
                                name=op.f('fk_priority_match_priority_id_research_priority'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_priority_match')),
    )
    with op.batch_alter_table('priority_match', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_priority_match_priority_id'), ['priority_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_priority_match_ressort'), ['ressort'],
                              unique=False)
        batch_op.create_index('ix_priority_match_record', ['kind', 'record_id'], unique=False)
    op.create_table(
        'priority_rejection',
        sa.Column('priority_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('rejected_by_id', sa.Integer(), nullable=True),
        sa.Column('rejected_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('project', 'lab')", name=op.f('ck_priority_rejection_kind')),
        sa.ForeignKeyConstraint(['priority_id'], ['research_priority.id'],
                                name=op.f('fk_priority_rejection_priority_id_research_priority'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['rejected_by_id'], ['user.id'],
                                name=op.f('fk_priority_rejection_rejected_by_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('priority_id', 'kind', 'record_id',
                                name=op.f('pk_priority_rejection')),
    )


def downgrade():
    op.drop_table('priority_rejection')
    with op.batch_alter_table('priority_match', schema=None) as batch_op:
        batch_op.drop_index('ix_priority_match_record')
        batch_op.drop_index(batch_op.f('ix_priority_match_ressort'))
        batch_op.drop_index(batch_op.f('ix_priority_match_priority_id'))
    op.drop_table('priority_match')
    op.drop_table('coverage_run')
    op.drop_table('lab_priority')
