"""ctest fixture: one PostgreSQL cluster for every test that needs one.

  postgres_fixture.py start STATE_DIR   starts it; writes STATE_DIR/url
                                        (a postgresql:// URL of the
                                        `postgres` database) and STATE_DIR/pid
  postgres_fixture.py stop STATE_DIR    stops it by PID and removes it

Tests create a database of their own in it (CREATE DATABASE), so they can
run in parallel.
"""

import json
import os
import sys

from postgres_server import PostgresServer, stop_pid


def main(command, state_dir):
    os.makedirs(state_dir, exist_ok=True)
    state_file = os.path.join(state_dir, "state.json")
    if command == "start":
        if os.path.exists(state_file):  # a run that ended without its cleanup
            main("stop", state_dir)
        server = PostgresServer(max_connections=300)
        with open(state_file, "w") as f:
            json.dump({"pid": server.pid, "dir": server.dir}, f)
        with open(os.path.join(state_dir, "url"), "w") as f:
            f.write(server.url())
        print(f"PostgreSQL on 127.0.0.1:{server.port}, pid {server.pid}")
    elif command == "stop":
        if not os.path.exists(state_file):
            return
        with open(state_file) as f:
            state = json.load(f)
        stop_pid(state["pid"], state["dir"])
        os.remove(state_file)
        os.remove(os.path.join(state_dir, "url"))
    else:
        sys.exit(f"unknown command {command}; use start or stop")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
