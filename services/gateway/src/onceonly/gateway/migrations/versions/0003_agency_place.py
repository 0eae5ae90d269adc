"""Agencies keep their province as registered (a pre-2025 or a 2025 name) and their commune.

Agencies registered before read as their 2025 province and no commune.

Revision ID: 0003_agency_place
Revises: 0002_dossier_binding
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_agency_place"
down_revision: str | None = "0002_dossier_binding"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column("agency", sa.Column("registered_province", sa.String(), nullable=False, server_default=""))
    op.add_column("agency", sa.Column("commune", sa.String(), nullable=False, server_default=""))


def downgrade() -> None:
    op.drop_column("agency", "commune")
    op.drop_column("agency", "registered_province")
