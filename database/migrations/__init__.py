"""The Alembic environment of the product (env.py, script.py.mako); no revisions live here."""
