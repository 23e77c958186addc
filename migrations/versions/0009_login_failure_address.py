"""login failures carry the client address: throttling per account and address

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_login_failure_address'), ['address'], unique=False)


def downgrade():
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failure_address'))
        batch_op.drop_column('address')
