"""python3 -m fake_dbt_cloud [--port N] [--api-token T --account-id N]
                            [--discovery-environment ID=PROJECT_DIR ...]"""

import argparse
import sys

from . import common
from .app import create_app, serve_in_thread


def main():
    parser = argparse.ArgumentParser(prog="fake_dbt_cloud")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--api-token", default="dbtc_test_api_key")
    parser.add_argument("--account-id", type=int, default=1)
    parser.add_argument("--discovery-environment", action="append", default=[], metavar="ID=DIR",
                        help="an environment of the Discovery API, read from a dbt project's artifacts")
    args = parser.parse_args()
    state = common.State(account_id=args.account_id, api_tokens={args.api_token: args.account_id})
    state.discovery_projects = dict(spec.split("=", 1) for spec in args.discovery_environment)
    server, url = serve_in_thread(create_app(state), args.host, args.port)
    print(f"listening {url}", flush=True)
    try:
        sys.stdin.read()  # runs until stdin closes or the process is killed
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
