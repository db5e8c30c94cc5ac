"""task numbers per person, kept while a task is open (answering an older reminder by number)

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'task_number',
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('ref', sa.String(length=40), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('shown_on', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_task_number_person_id_person'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('person_id', 'ref', name=op.f('pk_task_number')),
        sa.UniqueConstraint('person_id', 'number', name=op.f('uq_task_number_person_id')),
    )


def downgrade() -> None:
    op.drop_table('task_number')
