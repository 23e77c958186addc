"""one notification per user and key: two alert workers notify once

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 13:45:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    # Keep the first of any notifications two workers stored twice before this index.
    op.execute(sa.text(
        "DELETE FROM notification WHERE key != '' AND id NOT IN ("
        "SELECT MIN(id) FROM notification WHERE key != '' GROUP BY user_id, key)"))
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_key', ['user_id', 'key'], unique=True,
                              sqlite_where=sa.text("key != ''"),
                              postgresql_where=sa.text("key != ''"))


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_key')
