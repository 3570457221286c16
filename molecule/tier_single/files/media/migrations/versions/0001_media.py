"""media items and beat's ticks"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade():
    op.create_table(
        "media_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="queued"),
        sa.Column("uploaded_by", sa.Text),
        sa.Column("processed_by", sa.Text),
        sa.Column("audio_bytes", sa.Integer),
    )
    op.create_table(
        "beat_ticks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade():
    op.drop_table("beat_ticks")
    op.drop_table("media_items")
