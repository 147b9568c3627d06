"""Alembic revisions of the store, oldest first (see ``veille.store.migrations``)."""
