"""Admin API v3 service tokens (reference/dbt-cloud-api.md §5): create (200,
the only answer with `token_string`), list (state filter, limit/offset),
retrieve (inactive ones too), delete (204; the record stays, state 2).

A created token is also an API token of the account (it may call the API),
and a deleted one no longer is, so a test can tell which secret works.
"""

import datetime
import itertools
import secrets

from flask import request

from . import common

PERMISSION_SETS = {
    "account_admin", "account_viewer", "admin", "analyst", "analyst_read", "billing_admin",
    "cost_insights_admin", "cost_insights_viewer", "cost_management_admin", "cost_management_viewer",
    "database_admin", "developer", "fusion_admin", "git_admin", "job_admin", "job_creator", "job_runner",
    "job_viewer", "manage_marketplace_apps", "member", "metadata_only", "notification_manager", "owner",
    "project_creator", "readonly", "scim_only", "security_admin", "semantic_layer_only", "stakeholder",
    "team_admin", "webhooks_only"}

BASE = "/api/v3/accounts/<int:account_id>/service-tokens/"


def _now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


def _public(token):
    """The ServiceToken shape: everything but the secret."""
    return {k: v for k, v in token.items() if k not in ("token_string", "token")}


def register(app, state):
    state.service_tokens = {}          # id -> token dict (token_string kept only to revoke its access)
    ids = itertools.count(1000)

    def guard(account_id):
        return common.authorize(state, account_id)

    @app.post(BASE)
    def create_service_token(account_id):
        denied = guard(account_id)
        if denied:
            return denied
        body = request.get_json(silent=True) or {}
        name = body.get("name")
        if not isinstance(name, str) or not name:
            return common.error(400, "name is required")
        grants = []
        for grant in body.get("permission_grants") or []:
            if not isinstance(grant, dict) or grant.get("permission_set") not in PERMISSION_SETS:
                return common.error(400, "Invalid permission_set.")
            grants.append({"permission_set": grant["permission_set"], "project_id": grant.get("project_id"),
                           "writable_environment_categories": grant.get("writable_environment_categories") or []})
        with state.lock:
            token_id = next(ids)
            uid = secrets.token_hex(8)
            token_string = f"dbtc_{uid}{secrets.token_urlsafe(24)}"
            now = _now()
            token = {"id": token_id, "uid": uid, "name": name, "account_id": account_id, "state": 1,
                     "created_at": now, "updated_at": now, "permission_grants": grants, "last_used": None,
                     "type": 1, "expires_at": None, "user_id": None, "user": None, "metadata_only": False,
                     "webhooks_only": False, "semantic_layer_credentials": [],
                     "service_token_permissions": [], "token_string": token_string, "token": "hashed"}
            state.service_tokens[token_id] = token
            state.api_tokens[token_string] = account_id
        return common.envelope(dict(_public(token), token_string=token_string, token="hashed"))

    @app.get(BASE)
    def list_service_tokens(account_id):
        denied = guard(account_id)
        if denied:
            return denied
        wanted = request.args.get("state")
        with state.lock:
            tokens = [_public(t) for t in sorted(state.service_tokens.values(), key=lambda t: t["id"])
                      if t["account_id"] == account_id and (wanted is None or str(t["state"]) == wanted)]
        return common.paginate(tokens, filters={"state": int(wanted)} if wanted else {})

    def with_token(account_id, token_id, answer):
        """`answer(token)` under the lock for a token of the account, else the API's error."""
        denied = guard(account_id)
        if denied:
            return denied
        with state.lock:
            token = state.service_tokens.get(token_id)
            if token is None or token["account_id"] != account_id:
                return common.error(404, "Service token not found.")
            return answer(token)

    def deactivate(token):
        token["state"] = 2
        token["updated_at"] = _now()
        state.api_tokens.pop(token["token_string"], None)
        return "", 204

    @app.get(BASE + "<int:token_id>/")
    def get_service_token(account_id, token_id):
        return with_token(account_id, token_id, lambda token: common.envelope(_public(token)))

    @app.delete(BASE + "<int:token_id>/")
    def delete_service_token(account_id, token_id):
        return with_token(account_id, token_id, deactivate)
