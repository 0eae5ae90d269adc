"""Consumer offsets: the store's own position in each partition, written with each applied batch.

A store upgraded from before has no position yet; the consume loop then starts those partitions from
their beginning and the applied-event ids skip what the store already holds.

Revision ID: 0004_consumer_offsets
Revises: 0003_origin_dimension
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_consumer_offsets"
down_revision: str | None = "0003_origin_dimension"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "consumer_offsets",
        sa.Column("topic", sa.String(length=249), nullable=False),
        sa.Column("partition", sa.Integer(), nullable=False),
        sa.Column("next_offset", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("topic", "partition"),
    )


def downgrade() -> None:
    op.drop_table("consumer_offsets")
