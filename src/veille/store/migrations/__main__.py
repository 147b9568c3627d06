"""Developer entry point: ``python -m veille.store.migrations revision -m MSG --db PATH`` and friends.

Sub-commands: ``revision`` (autogenerate a new revision against the store at ``--db``, first
upgraded to the head), ``heads``, ``history``, ``current --db PATH``.
"""

from __future__ import annotations

import argparse

from alembic import command

from veille.store.migrations import config


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m veille.store.migrations")
    parser.add_argument("action", choices=["revision", "heads", "history", "current"])
    parser.add_argument("-m", "--message", default="schema change")
    parser.add_argument("--db", default="", help="SQLite path or SQLAlchemy URL of a scratch store.")
    args = parser.parse_args()
    if args.action in {"revision", "current"} and not args.db:
        parser.error(f"{args.action} needs --db")
    if args.db:
        from veille.store.database import open_store

        url = open_store(args.db).url.render_as_string(hide_password=False)
    else:
        url = None
    cfg = config(url=url)
    if args.action == "revision":
        command.revision(cfg, message=args.message, autogenerate=True)
    elif args.action == "heads":
        command.heads(cfg)
    elif args.action == "history":
        command.history(cfg)
    else:
        command.current(cfg)


if __name__ == "__main__":
    main()
