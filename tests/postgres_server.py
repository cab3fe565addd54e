"""A throwaway PostgreSQL 15 cluster from Debian for the tests.

initdb + postgres in a temporary directory, listening on 127.0.0.1 and a free
port only, with password (SCRAM) authentication for role `cairn`; run as the
postgres user when the tests run as root (initdb and postgres refuse root).
Stopped by PID.
"""

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time

PG_BIN = "/usr/lib/postgresql/15/bin"
PASSWORD = "s3cret-Pa55word-for-tests"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """A PostgreSQL cluster with password auth for role `cairn`."""

    def __init__(self, max_connections=100):
        self.dir = tempfile.mkdtemp(prefix="cairn-pg-")
        self.port = free_port()
        user = {}
        if os.geteuid() == 0:
            postgres = pwd.getpwnam("postgres")
            os.chown(self.dir, postgres.pw_uid, postgres.pw_gid)
            user = {"user": postgres.pw_uid, "group": postgres.pw_gid}
        data = os.path.join(self.dir, "data")
        pwfile = os.path.join(self.dir, "pw")
        with open(pwfile, "w") as f:
            f.write(PASSWORD)
        if user:
            os.chown(pwfile, user["user"], user["group"])
        subprocess.run([f"{PG_BIN}/initdb", "-D", data, "-U", "cairn", "--auth=scram-sha-256",
                        f"--pwfile={pwfile}", "-E", "UTF8", "--no-sync"],
                       check=True, capture_output=True, **user)
        self.process = subprocess.Popen(
            [f"{PG_BIN}/postgres", "-D", data, "-p", str(self.port), "-k", self.dir,
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
             "-c", "synchronous_commit=off", "-c", f"max_connections={max_connections}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, **user)
        self.pid = self.process.pid
        for _ in range(100):
            if subprocess.run([f"{PG_BIN}/pg_isready", "-h", "127.0.0.1", "-p", str(self.port)],
                              capture_output=True).returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("PostgreSQL did not start")

    def url(self, database="postgres"):
        return f"postgresql://cairn:{PASSWORD}@127.0.0.1:{self.port}/{database}"

    def psql(self, sql, database="postgres"):
        env = dict(os.environ, PGPASSWORD=PASSWORD)
        return subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "cairn",
                               "-d", database, "-v", "ON_ERROR_STOP=1", "-q", "-At", "-c", sql],
                              check=True, env=env, capture_output=True, text=True).stdout

    def create_database(self, name):
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self):
        self.process.terminate()
        self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def stop_pid(pid, directory):
    """Stops a cluster started by another process (the ctest fixture)."""
    try:
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            os.kill(pid, 0)
            time.sleep(0.1)
    except ProcessLookupError:
        pass
    shutil.rmtree(directory, ignore_errors=True)
