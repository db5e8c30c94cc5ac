"""dossier figures in SQL: derived date columns, their indexes; the official procedure catalogue

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_DERIVED = ("received_on", "due_on", "closed_on", "outcome", "late_days", "apology_ok")


def upgrade() -> None:
    with op.batch_alter_table('procedure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('postal', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('fee', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('published', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_unique_constraint(batch_op.f('uq_procedure_code'), ['code'])
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('received_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('due_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('closed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('outcome', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('late_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('apology_ok', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_dossier_received_on'), ['received_on'], unique=False)
        batch_op.create_index('ix_dossier_period', ['closed_on', 'received_on', 'status', 'channel', 'outcome',
                                                    'due_on', 'apology_ok', 'unit_id'], unique=False)
        batch_op.create_index('ix_dossier_open_due', ['closed_on', 'due_on'], unique=False)
        batch_op.create_index('ix_dossier_outcome', ['outcome', 'channel', 'apology_ok', 'closed_on', 'received_on',
                                                     'due_on'], unique=False)
        batch_op.create_index('ix_dossier_unit_period', ['unit_id', 'closed_on', 'received_on'], unique=False)
        batch_op.create_index('ix_dossier_procedure_channel', ['procedure_id', 'channel', 'received_on',
                                                                'postal_return'], unique=False)
    _backfill()


def _backfill() -> None:
    """Derive the new columns for dossiers already stored (local time
    Asia/Ho_Chi_Minh; days late counted Monday–Friday until the next import
    recomputes them with the working calendar)."""
    from models.base import UTCDateTime
    from models.dossiers import derive_dates, weekdays_between

    bind = op.get_bind()
    t = sa.table('dossier', sa.column('id', sa.Integer), sa.column('received_at', UTCDateTime()),
                 sa.column('due_at', UTCDateTime()), sa.column('original_due_at', UTCDateTime()),
                 sa.column('resolved_at', UTCDateTime()), sa.column('returned_at', UTCDateTime()),
                 sa.column('status', sa.Integer), sa.column('apology_at', UTCDateTime()),
                 *(sa.column(name) for name in _DERIVED))
    rows = bind.execute(sa.select(t.c.id, t.c.received_at, t.c.due_at, t.c.original_due_at, t.c.resolved_at,
                                  t.c.returned_at, t.c.status, t.c.apology_at)).all()
    updates = []
    for row in rows:
        values = derive_dates(*row[1:])
        late = values["outcome"] == "late"
        values["late_days"] = weekdays_between(values["due_on"], values["closed_on"]) if late else None
        updates.append({"b_id": row.id, **values})
    if updates:
        bind.execute(t.update().where(t.c.id == sa.bindparam("b_id")), updates)


def downgrade() -> None:
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_procedure_channel')
        batch_op.drop_index('ix_dossier_unit_period')
        batch_op.drop_index('ix_dossier_outcome')
        batch_op.drop_index('ix_dossier_open_due')
        batch_op.drop_index('ix_dossier_period')
        batch_op.drop_index(batch_op.f('ix_dossier_received_on'))
        for name in reversed(_DERIVED):
            batch_op.drop_column(name)
    with op.batch_alter_table('procedure', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_procedure_code'), type_='unique')
        for name in ('published', 'fee', 'postal', 'code'):
            batch_op.drop_column(name)
