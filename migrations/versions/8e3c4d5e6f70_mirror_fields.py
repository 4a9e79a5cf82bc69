"""The mirror stores records without their null fields; mirror_fields names them

Revision ID: 8e3c4d5e6f70
Revises: 5b0a1b2c3d4e
Create Date: 2026-12-05 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8e3c4d5e6f70'
down_revision = '5b0a1b2c3d4e'
branch_labels = None
depends_on = None


def upgrade():
    # Rows stored before keep their nulls: they read back the same, and are stored
    # compact when next pulled (counted once as updated in the mirror).
    op.create_table('mirror_fields',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('integration_id', sa.Integer(), nullable=False),
    sa.Column('stream', sa.String(length=63), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['integration_id'], ['integrations.id'], name=op.f('fk_mirror_fields_integration_id_integrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mirror_fields')),
    sa.UniqueConstraint('integration_id', 'stream', 'name', name=op.f('uq_mirror_fields_integration_id'))
    )


def downgrade():
    op.drop_table('mirror_fields')
