"""co-lead units of a task; urgent flag; external units named in a directive

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('task_co_lead_unit',
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_task_co_lead_unit_task_id_task'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_task_co_lead_unit_unit_id_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('task_id', 'unit_id', name=op.f('pk_task_co_lead_unit'))
    )
    with op.batch_alter_table('task') as batch:
        batch.add_column(sa.Column('urgent', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('external_units', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('task') as batch:
        batch.drop_column('external_units')
        batch.drop_column('urgent')
    op.drop_table('task_co_lead_unit')
