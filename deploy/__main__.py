"""`python -m deploy --replicas 3 --postgres`: N replicas behind nginx on loopback until Ctrl-C.

Without --postgres give --db-url (or EXPLORER_DB_URL) for a shared PostgreSQL; with neither, each
replica would keep its own SQLite board, so the launcher refuses more than one replica.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

from deploy.cluster import Cluster


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy", description=__doc__.split("\n")[0])
    parser.add_argument("--replicas", type=int, default=2, help="Streamlit processes (one per core is a good start)")
    parser.add_argument("--port", type=int, default=8080, help="the proxy's port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--postgres", action="store_true", help="start a throw-away PostgreSQL on a loopback port")
    parser.add_argument("--db-url", default=os.environ.get("EXPLORER_DB_URL"), help="an existing database instead")
    args = parser.parse_args(argv)
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
            print(f"PostgreSQL: {cluster.db_url}", flush=True)
        print(f"logs: {cluster.run_dir} · Ctrl-C stops everything", flush=True)
        signal.pause()


if __name__ == "__main__":
    sys.exit(main())
