"""A local dbt Cloud for the tests: the Admin API v2 (jobs, runs, artifacts),
the Admin API v3 service tokens and the Discovery API (GraphQL), with the
shapes, statuses and pagination of ../shared/reference/dbt-cloud-api.md, and
faults (429 with Retry-After, 5xx, slow runs) that a test injects.

Start it with `python3 -m fake_dbt_cloud --port 0` from tests/ (it prints
`listening http://127.0.0.1:PORT`), or in-process with `serve_in_thread()`.
"""
