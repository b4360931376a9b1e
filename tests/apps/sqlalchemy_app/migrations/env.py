"""alembic's environment for the framework test app: the URL from APP_DB, the models' metadata
for autogenerate, types compared (alembic check), and UTCDateTime rendered as the plain
sa.DateTime(timezone=True) it is underneath, so migrations do not import the models."""
import os
import sys

from alembic import context

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from models import Base, UTCDateTime, make_engine  # noqa: E402


def render_item(type_, obj, autogen_context):
    # Only the app's own decorator: sa.Interval is a TypeDecorator too, over DateTime.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return f"sa.{obj.impl!r}"
    return False


def run_migrations():
    engine = make_engine()
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata, compare_type=True, render_item=render_item,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline mode is not supported: set APP_DB")
run_migrations()
