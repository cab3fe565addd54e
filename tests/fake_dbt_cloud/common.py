"""What every part of the fake shares: the account state, the v2/v3 response
envelope, limit/offset pagination, token auth and injected faults, and the
tests' client of the fake's controls."""

import json
import re
import threading
import time
import urllib.request

from flask import jsonify, request


class State:
    """Everything the fake holds, behind one lock (Flask serves threads).

    `api_tokens` maps an API token to the account it may use; each part of
    the fake adds its own fields in its `register`.
    """

    def __init__(self, account_id=1, api_tokens=None):
        self.lock = threading.RLock()
        self.account_id = account_id
        self.api_tokens = dict(api_tokens or {})
        self.faults = []     # Fault, in the order they were added
        self.requests = []   # (method, path, query string, Authorization scheme) of every API call


class Fault:
    """Answer the next `count` requests whose path matches `path` with
    `status` (and Retry-After, when set) instead of serving them."""

    def __init__(self, path, status, count=1, retry_after=None, delay_seconds=0.0):
        self.path = re.compile(path)
        self.status = status
        self.count = count
        self.retry_after = retry_after
        self.delay_seconds = delay_seconds


def envelope(data, code=200, extra=None):
    body = {"status": {"code": code, "is_success": 200 <= code < 300, "user_message": "Success!",
                       "developer_message": ""},
            "data": data}
    if extra is not None:
        body["extra"] = extra
    return jsonify(body), code


def error(code, user_message, developer_message=""):
    body = {"status": {"code": code, "is_success": False, "user_message": user_message,
                       "developer_message": developer_message},
            "data": None}
    return jsonify(body), code


def paginate(items, filters=None, order_by="id"):
    """One page of `items` by the request's limit/offset (limit at most 100)."""
    try:
        limit = int(request.args.get("limit", 100))
        offset = int(request.args.get("offset", 0))
    except ValueError:
        return error(400, "limit and offset must be integers")
    if limit < 1 or limit > 100:
        return error(400, "limit must be between 1 and 100")
    page = items[offset:offset + limit]
    extra = {"filters": filters or {}, "order_by": order_by,
             "pagination": {"count": len(page), "total_count": len(items)}}
    return envelope(page, extra=extra)


def authorize(state, account_id):
    """None when the request carries a token for `account_id` as `Token x` or
    `Bearer x`; otherwise the 401/403 response to send."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme not in ("Token", "Bearer") or not token:
        return error(401, "Invalid token.", "Authorization header must be 'Token <token>' or 'Bearer <token>'")
    allowed = state.api_tokens.get(token)
    if allowed is None:
        return error(401, "Invalid token.")
    if int(account_id) != allowed:
        return error(403, "You do not have permission to perform this action.")
    return None


def install_faults(app, state):
    """Records every API request and serves the injected faults first."""

    @app.before_request
    def _faults():
        if request.path.startswith("/_fake/"):
            return None
        scheme = request.headers.get("Authorization", "").partition(" ")[0]
        with state.lock:
            state.requests.append((request.method, request.path, request.query_string.decode(), scheme))
            for fault in state.faults:
                if fault.count > 0 and fault.path.search(request.path):
                    fault.count -= 1
                    break
            else:
                return None
        if fault.delay_seconds:
            time.sleep(fault.delay_seconds)
        response, code = error(fault.status, f"injected {fault.status}")
        if fault.retry_after is not None:
            response.headers["Retry-After"] = str(fault.retry_after)
        return response, code

    @app.post("/_fake/faults")
    def _add_fault():
        body = request.get_json(force=True)
        with state.lock:
            state.faults.append(Fault(body["path"], int(body["status"]), int(body.get("count", 1)),
                                      body.get("retry_after"), float(body.get("delay_seconds", 0))))
        return jsonify({"ok": True})

    @app.get("/_fake/requests")
    def _requests():
        with state.lock:
            return jsonify([{"method": m, "path": p, "query": q, "scheme": s} for m, p, q, s in state.requests])


def control(base, path, body=None):
    """A test's call of the fake's controls (/_fake/...): POST with a JSON body, else GET."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method="POST" if data else "GET",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())
