"""dossier_month: closed dossiers counted per month, so year and quarter figures stay flat

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'dossier_month',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('closed_ym', sa.Integer(), nullable=False),
        sa.Column('received_ym', sa.Integer(), nullable=True),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('field', sa.String(length=255), nullable=True),
        sa.Column('channel', sa.String(length=16), nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=True),
        sa.Column('apology_ok', sa.Boolean(), nullable=True),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_month')),
    )
    op.create_index('ix_dossier_month_closed', 'dossier_month',
                    ['closed_ym', 'outcome', 'channel', 'apology_ok', 'received_ym', 'unit_id', 'field', 'n'], unique=False)
    op.create_index('ix_dossier_month_unit', 'dossier_month', ['unit_id', 'closed_ym'], unique=False)
    _backfill()


def _backfill() -> None:
    """Count the dossiers already closed: the same GROUP BY the save hook refreshes with
    (models.dossiers.month_rollup), one statement over the whole table."""
    from models.dossiers import ROLLUP_COLUMNS, DossierMonth, month_rollup

    op.get_bind().execute(sa.insert(DossierMonth.__table__).from_select(ROLLUP_COLUMNS, month_rollup(sa.true())))


def downgrade() -> None:
    op.drop_index('ix_dossier_month_unit', table_name='dossier_month')
    op.drop_index('ix_dossier_month_closed', table_name='dossier_month')
    op.drop_table('dossier_month')
