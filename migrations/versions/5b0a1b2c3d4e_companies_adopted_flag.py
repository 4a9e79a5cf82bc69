"""Companies: the adopted flag (a pre-existing hub company linked to a remote one)

Revision ID: 5b0a1b2c3d4e
Revises: 6c1a2b3c4d5e
Create Date: 2026-11-22 02:53:29.418192

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b0a1b2c3d4e'
down_revision = '6c1a2b3c4d5e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('adopted', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_column('adopted')

