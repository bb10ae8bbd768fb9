"""`python -m deploy --replicas 3 --postgres`: N replicas behind nginx on loopback until Ctrl-C.

Without --postgres give a shared PostgreSQL: EXPLORER_DB_URL=postgresql+psycopg://user:pw@host/db in
the environment, or --db-url without the password plus --db-password-file (a password on the command
line would show in `ps`, so it is refused). With neither, each replica would keep its own SQLite
board, so the launcher refuses more than one replica. Secrets are never printed: URLs show `***`.
Started as root, the replicas run as $EXPLORER_RUN_AS (default nobody), PostgreSQL as postgres.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

from deploy.cluster import Cluster
from deploy.credentials import has_password, masked, with_password
from explorer import settings


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy", description=__doc__.split("\n")[0])
    parser.add_argument("--replicas", type=int, default=2, help="Streamlit processes (one per core is a good start)")
    parser.add_argument("--port", type=int, default=8080, help="the proxy's port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--postgres", action="store_true", help="start a throw-away PostgreSQL on a loopback port")
    parser.add_argument("--db-url", help="an existing database instead, without its password (default: "
                        "$EXPLORER_DB_URL, which may hold one)")
    parser.add_argument("--db-password-file", metavar="FILE", help="the database password, first line of FILE")
    args = parser.parse_args(argv)
    if args.db_url and has_password(args.db_url):
        parser.error(f"--db-url {masked(args.db_url)}: a password on the command line shows in `ps`; "
                     "put the URL in EXPLORER_DB_URL or the password in --db-password-file")
    args.db_url = args.db_url or settings.get("EXPLORER_DB_URL")
    if args.db_password_file:
        if not args.db_url:
            parser.error("--db-password-file needs --db-url (or EXPLORER_DB_URL)")
        try:
            args.db_url = with_password(args.db_url, args.db_password_file)
            mode = os.stat(args.db_password_file).st_mode & 0o777
        except (OSError, ValueError) as err:
            parser.error(f"--db-password-file: {err}")
        if mode & 0o077:
            print(f"warning: {args.db_password_file} is readable by others (mode {mode:o}): chmod 600 it",
                  file=sys.stderr)
    if args.replicas > 1 and not (args.postgres or args.db_url):
        parser.error("several replicas need one shared database: --postgres or --db-url postgresql+psycopg://…")
    # SIGTERM (systemd, docker stop, kill) ends the wait below like Ctrl-C, so the cleanup runs.
    signal.signal(signal.SIGTERM, interrupt)
    try:
        serve(args)
    except KeyboardInterrupt:  # also during start-up: Cluster has stopped what it had started
        print("stopped", file=sys.stderr)
    return 0


def interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def serve(args) -> None:
    with Cluster(args.replicas, args.port, postgres=args.postgres, db_url=args.db_url) as cluster:
        print(f"MLP Explorer: {cluster.url}  ({args.replicas} replicas: "
              + ", ".join(f"{n} {u}" for n, u in cluster.replica_urls.items()) + ")", flush=True)
        if args.postgres:
            print(f"PostgreSQL: {masked(cluster.db_url)}", flush=True)
        print(f"logs: {cluster.run_dir} · Ctrl-C stops everything", flush=True)
        signal.pause()


if __name__ == "__main__":
    sys.exit(main())
