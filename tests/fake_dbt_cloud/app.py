"""The fake's Flask app: the common parts plus each API."""

import threading

from flask import Flask
from werkzeug.serving import make_server

from . import admin_v2, common, discovery, service_tokens


def create_app(state=None):
    state = state or common.State(api_tokens={"dbtc_test_api_key": 1})
    app = Flask("fake_dbt_cloud")
    app.config["fake_state"] = state
    common.install_faults(app, state)
    for api in (admin_v2, service_tokens, discovery):
        api.register(app, state)
    return app


def serve_in_thread(app, host="127.0.0.1", port=0):
    """Serves `app` on a free port in a daemon thread; returns (server, url).
    Stop it with server.shutdown()."""
    server = make_server(host, port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://{host}:{server.server_port}"
