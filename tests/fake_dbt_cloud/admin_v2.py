"""Admin API v2 (reference/dbt-cloud-api.md §4): jobs, runs whose status
advances queued -> starting -> running -> success (or error for a job set to
fail) over a configurable time, and run artifacts served raw from a real dbt
project's artifact directory (the fixtures, never copied).

Test controls (no auth): POST /_fake/jobs {"id", "project_id",
"environment_id", "fail", "run_seconds"} adds or replaces a job;
POST /_fake/runs {"job_id", "count", "status"} adds finished runs;
POST /_fake/artifacts {"dir"} sets the directory artifacts come from."""

import datetime
import json
import os
import time

from flask import jsonify, request, send_file

from .common import authorize, envelope, error, paginate

STATUS_TEXT = {1: "Queued", 2: "Starting", 3: "Running", 10: "Success", 20: "Error", 30: "Cancelled"}
DEFAULT_ARTIFACTS = "/work/shared/fixtures/dbt/projects/jaffle_shop_duckdb_dbt-1.12.0"
ARTIFACT_NAMES = ("manifest.json", "run_results.json", "catalog.json", "sources.json")


def _iso(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).isoformat()


def _status(run, now):
    if run["forced_status"] is not None:
        return run["forced_status"]
    elapsed = now - run["created"]
    step = run["run_seconds"] / 3.0
    if elapsed < step:
        return 1
    if elapsed < 2 * step:
        return 2
    if elapsed < 3 * step:
        return 3
    return 20 if run["fail"] else 10


def _view(state, run):
    now = time.time()
    status = _status(run, now)
    done = status in (10, 20, 30)
    finished = run["created"] + run["run_seconds"] if run["forced_status"] is None else run["created"]
    return {
        "id": run["id"], "trigger_id": run["id"], "account_id": state.account_id,
        "job_definition_id": run["job_id"], "job_id": run["job_id"], "project_id": run["project_id"],
        "environment_id": run["environment_id"], "status": status,
        "status_humanized": STATUS_TEXT[status],
        "status_message": "dbt run failed" if status == 20 else None,
        "in_progress": not done, "is_complete": done, "is_success": status == 10,
        "is_error": status == 20, "is_cancelled": status == 30, "is_running": status == 3,
        "git_branch": run["git_branch"], "git_sha": run["git_sha"], "cause": run["cause"],
        "created_at": _iso(run["created"]), "updated_at": _iso(min(now, finished)),
        "finished_at": _iso(finished) if done else None,
        "artifacts_saved": done, "has_docs_generated": done, "has_sources_generated": done,
        "href": f"{request.host_url}#/accounts/{state.account_id}/projects/{run['project_id']}/runs/{run['id']}/",
    }


def register(app, state):
    state.jobs = {
        100: {"id": 100, "project_id": 10, "environment_id": 20, "fail": False, "run_seconds": 1.5},
        200: {"id": 200, "project_id": 10, "environment_id": 20, "fail": True, "run_seconds": 1.5},
    }
    state.runs = []
    state.artifacts_dir = DEFAULT_ARTIFACTS

    def _new_run(job, cause, git_branch=None, git_sha=None, forced_status=None, created=None):
        run = {"id": 1000 + len(state.runs), "job_id": job["id"], "project_id": job["project_id"],
               "environment_id": job["environment_id"], "fail": job["fail"],
               "run_seconds": job["run_seconds"], "created": created or time.time(),
               "cause": cause, "git_branch": git_branch, "git_sha": git_sha,
               "forced_status": forced_status}
        state.runs.append(run)
        return run

    def _find_run(run_id):
        for run in state.runs:
            if run["id"] == run_id:
                return run
        return None

    @app.post("/_fake/jobs")
    def _add_job():
        body = request.get_json(force=True)
        job = {"id": int(body["id"]), "project_id": int(body.get("project_id", 10)),
               "environment_id": int(body.get("environment_id", 20)), "fail": bool(body.get("fail", False)),
               "run_seconds": float(body.get("run_seconds", 1.5))}
        with state.lock:
            state.jobs[job["id"]] = job
        return jsonify(job)

    @app.post("/_fake/runs")
    def _add_runs():
        body = request.get_json(force=True)
        with state.lock:
            job = state.jobs[int(body["job_id"])]
            base = time.time() - 10_000
            ids = [_new_run(job, "seeded", forced_status=int(body.get("status", 10)), created=base + i)["id"]
                   for i in range(int(body.get("count", 1)))]
        return jsonify(ids)

    @app.post("/_fake/artifacts")
    def _set_artifacts():
        with state.lock:
            state.artifacts_dir = request.get_json(force=True)["dir"]
        return jsonify({"ok": True})

    @app.post("/api/v2/accounts/<int:account_id>/jobs/<int:job_id>/run/")
    def _trigger(account_id, job_id):
        denied = authorize(state, account_id)
        if denied:
            return denied
        body = request.get_json(silent=True) or {}
        if not isinstance(body.get("cause"), str) or not body["cause"]:
            return error(400, "cause is required")
        steps = body.get("steps_override")
        if steps is not None and (not isinstance(steps, list) or not all(isinstance(s, str) and s for s in steps)):
            return error(400, "steps_override must be a list of non-empty strings")
        with state.lock:
            job = state.jobs.get(job_id)
            if job is None:
                return error(404, "The requested resource was not found.")
            run = _new_run(job, body["cause"], body.get("git_branch"), body.get("git_sha"))
            return envelope(_view(state, run))

    def _answer_run(account_id, run_id, answer=None):
        """`answer(run)` (default: the run's envelope) under the lock, or the API's error."""
        denied = authorize(state, account_id)
        if denied:
            return denied
        with state.lock:
            run = _find_run(run_id)
            if run is None:
                return error(404, "The requested resource was not found.")
            return answer(run) if answer is not None else envelope(_view(state, run))

    def _cancel(run):
        if _status(run, time.time()) not in (10, 20, 30):  # a finished run keeps its status
            run["forced_status"] = 30
        return envelope(_view(state, run))

    @app.get("/api/v2/accounts/<int:account_id>/runs/<int:run_id>/")
    def _get_run(account_id, run_id):
        return _answer_run(account_id, run_id)

    @app.post("/api/v2/accounts/<int:account_id>/runs/<int:run_id>/cancel/")
    def _cancel_run(account_id, run_id):
        return _answer_run(account_id, run_id, _cancel)

    @app.get("/api/v2/accounts/<int:account_id>/runs/")
    def _list_runs(account_id):
        denied = authorize(state, account_id)
        if denied:
            return denied
        filters = {}
        with state.lock:
            views = [_view(state, run) for run in state.runs]
        for key in ("job_definition_id", "project_id", "environment_id"):
            if key in request.args:
                filters[key] = int(request.args[key])
                views = [v for v in views if v[key] == filters[key]]
        if "status__in" in request.args:
            try:
                wanted = json.loads(request.args["status__in"])
            except ValueError:
                return error(400, "status__in must be a JSON array")
            filters["status__in"] = wanted
            views = [v for v in views if v["status"] in wanted]
        order_by = request.args.get("order_by", "id")
        key = order_by.lstrip("-")
        if key not in ("id", "finished_at", "created_at", "updated_at"):
            return error(400, f"cannot order by {key}")
        views.sort(key=lambda v: (v[key] is None, v[key] or ""), reverse=order_by.startswith("-"))
        return paginate(views, filters, order_by)

    @app.get("/api/v2/accounts/<int:account_id>/runs/<int:run_id>/artifacts/")
    def _list_artifacts(account_id, run_id):
        def saved(run):
            if _status(run, time.time()) not in (10, 20):
                return envelope([])
            directory = state.artifacts_dir
            return envelope([name for name in ARTIFACT_NAMES if os.path.isfile(os.path.join(directory, name))])

        return _answer_run(account_id, run_id, saved)

    @app.get("/api/v2/accounts/<int:account_id>/runs/<int:run_id>/artifacts/<path:path>")
    def _artifact(account_id, run_id, path):
        denied = authorize(state, account_id)
        if denied:
            return denied
        with state.lock:
            run = _find_run(run_id)
            directory = state.artifacts_dir
        if run is None or path not in ARTIFACT_NAMES or not os.path.isfile(os.path.join(directory, path)):
            return error(404, "The requested resource was not found.")
        return send_file(os.path.join(directory, path), mimetype="application/json")
