"""office calendar entries (/ngaynghi)

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('office_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['person.id'], name=op.f('fk_office_day_created_by_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office_day')),
    sa.UniqueConstraint('day', 'kind', name=op.f('uq_office_day_day'))
    )
    with op.batch_alter_table('office_day', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_office_day_day'), ['day'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('office_day', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_office_day_day'))
    op.drop_table('office_day')
