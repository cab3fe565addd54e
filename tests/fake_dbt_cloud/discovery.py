"""The Discovery API (GraphQL) of the fake: `POST /graphql` answering the
environment-scoped schema of reference/dbt-cloud-api.md §6.3 —
`environment(id) { adapterType dbtProjectName applied { models sources tests
(first, after) { totalCount pageInfo edges { cursor node {...} } } } }` —
built from a real project's artifacts (manifest, catalog, run_results).

Queries are parsed, not pattern-matched: a small parser of GraphQL's query
language (operations, variables, arguments, nested selections, aliases,
inline fragments) so that only the selected fields come back, an unknown
field is an error as a real server says it, and `first` over 500 is refused.
"""

import json
import os
import re

from flask import jsonify, request

from .common import authorize

MAX_PAGE = 500  # environment endpoints page at most 500 nodes (§6.1)


class GraphQlError(Exception):
    pass


# ---- parsing -----------------------------------------------------------------

TOKEN = re.compile(r'\s*(?:(\.\.\.)|([{}():,!\[\]=$@])|("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?)|([A-Za-z_]\w*)|(#[^\n]*))')


def tokenize(text):
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise GraphQlError(f"Syntax Error: unexpected character at offset {pos}")
        pos = match.end()
        spread, punct, string, number, name, comment = match.groups()
        if comment:
            continue
        if spread:
            tokens.append(("punct", "..."))
        elif punct:
            tokens.append(("punct", punct))
        elif string:
            tokens.append(("string", json.loads(string)))
        elif number:
            tokens.append(("number", float(number) if "." in number else int(number)))
        else:
            tokens.append(("name", name))
    return tokens


class Parser:
    def __init__(self, text, variables):
        self.tokens = tokenize(text)
        self.pos = 0
        self.variables = variables or {}

    def peek(self, value=None):
        if self.pos >= len(self.tokens):
            return None if value is None else False
        token = self.tokens[self.pos]
        return token if value is None else token[1] == value and token[0] in ("punct", "name")

    def take(self, value=None):
        if self.pos >= len(self.tokens):
            raise GraphQlError("Syntax Error: unexpected end of the query")
        token = self.tokens[self.pos]
        if value is not None and token[1] != value:
            raise GraphQlError(f"Syntax Error: expected '{value}', found '{token[1]}'")
        self.pos += 1
        return token

    def document(self):
        if self.peek("query"):
            self.take("query")
            if self.peek() and self.peek()[0] == "name":
                self.take()
            if self.peek("("):
                self.variable_definitions()
        selection = self.selection_set()
        if self.pos != len(self.tokens):
            raise GraphQlError("Syntax Error: one operation per request")
        return selection

    def variable_definitions(self):
        self.take("(")
        while not self.peek(")"):
            self.take("$")
            name = self.take()[1]
            self.take(":")
            self.type_reference()
            if self.peek("="):
                self.take("=")
                default = self.value()
                self.variables.setdefault(name, default)
            if self.peek(","):
                self.take(",")
        self.take(")")

    def type_reference(self):
        if self.peek("["):
            self.take("[")
            self.type_reference()
            self.take("]")
        else:
            self.take()
        if self.peek("!"):
            self.take("!")

    def selection_set(self):
        self.take("{")
        fields = []
        while not self.peek("}"):
            if self.peek("..."):
                self.take("...")
                self.take("on")
                self.take()  # the type condition: every node here has one type
                fields.extend(self.selection_set())
                continue
            name = self.take()[1]
            alias = name
            if self.peek(":"):
                self.take(":")
                name = self.take()[1]
            args = self.arguments() if self.peek("(") else {}
            children = self.selection_set() if self.peek("{") else None
            fields.append((alias, name, args, children))
            if self.peek(","):
                self.take(",")
        self.take("}")
        return fields

    def arguments(self):
        self.take("(")
        args = {}
        while not self.peek(")"):
            name = self.take()[1]
            self.take(":")
            args[name] = self.value()
            if self.peek(","):
                self.take(",")
        self.take(")")
        return args

    def value(self):
        kind, value = self.take()
        if kind == "punct" and value == "$":
            name = self.take()[1]
            return self.variables.get(name)
        if kind == "punct" and value == "[":
            items = []
            while not self.peek("]"):
                items.append(self.value())
                if self.peek(","):
                    self.take(",")
            self.take("]")
            return items
        if kind == "punct" and value == "{":
            fields = {}
            while not self.peek("}"):
                name = self.take()[1]
                self.take(":")
                fields[name] = self.value()
                if self.peek(","):
                    self.take(",")
            self.take("}")
            return fields
        if kind == "name":
            return {"true": True, "false": False, "null": None}.get(value, value)
        return value


# ---- resolving ---------------------------------------------------------------

def select(value, fields, type_name):
    """`value` (a dict, or a callable taking arguments) narrowed to `fields`."""
    if fields is None:
        return value
    if isinstance(value, list):
        return [select(item, fields, type_name) for item in value]
    if value is None:
        return None
    out = {}
    for alias, name, args, children in fields:
        if name == "__typename":
            out[alias] = type_name
            continue
        if name not in value:
            raise GraphQlError(f"Cannot query field '{name}' on type '{type_name}'.")
        field = value[name]
        if callable(field):
            field = field(**args)
        out[alias] = select(field, children, name[:1].upper() + name[1:])
    return out


def connection(nodes, first=None, after=None, filter=None):  # noqa: A002 (GraphQL's name)
    """A Relay connection over `nodes` (cursor = the index, as a string)."""
    del filter  # the tests page everything; filters are left to the real service
    if first is None:
        first = MAX_PAGE
    if not isinstance(first, int) or first < 1 or first > MAX_PAGE:
        raise GraphQlError(f"'first' must be between 1 and {MAX_PAGE}")
    start = int(after) + 1 if after not in (None, "") else 0
    page = nodes[start:start + first]
    edges = [{"cursor": str(start + i), "node": node} for i, node in enumerate(page)]
    return {
        "totalCount": len(nodes),
        "edges": edges,
        "pageInfo": {"startCursor": edges[0]["cursor"] if edges else None,
                     "endCursor": edges[-1]["cursor"] if edges else None,
                     "hasNextPage": start + len(page) < len(nodes),
                     "hasPreviousPage": start > 0},
    }


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return {}


def catalog_of(entry):
    if not entry:
        return None
    columns = [{"name": c["name"], "index": c.get("index"), "type": c.get("type"),
                "description": c.get("comment") or "", "tags": [], "meta": {}}
               for c in sorted(entry.get("columns", {}).values(), key=lambda c: c.get("index") or 0)]
    stats = entry.get("stats", {})
    return {"owner": entry.get("metadata", {}).get("owner"), "comment": entry.get("metadata", {}).get("comment"),
            "rowCountStat": stats.get("row_count", {}).get("value"), "bytesStat": stats.get("bytes", {}).get("value"),
            "columns": columns}


def execution_of(result):
    if not result:
        return {"lastRunStatus": None, "lastRunError": None, "executeCompletedAt": None, "executionTime": None,
                "lastRunId": None, "lastSuccessRunId": None}
    completed = [t["completed_at"] for t in result.get("timing", []) if t.get("name") == "execute"]
    status = {"pass": "success", "fail": "error"}.get(result["status"], result["status"])
    return {"lastRunStatus": status, "lastRunError": result.get("message") if status == "error" else None,
            "executeCompletedAt": completed[0] if completed else None,
            "executionTime": result.get("execution_time"), "lastRunId": 1, "lastSuccessRunId": 1}


def environment_from(project_dir, environment_id):
    """The environment's applied state, as Discovery would have recorded it
    from the project's last run."""
    manifest = load(os.path.join(project_dir, "manifest.json"))
    catalog = load(os.path.join(project_dir, "catalog.json"))
    results = {r["unique_id"]: r for r in load(os.path.join(project_dir, "run_results.json")).get("results", [])}
    nodes = {**manifest.get("nodes", {}), **manifest.get("sources", {})}

    def parents(node):
        return [{"uniqueId": p, "name": nodes[p]["name"], "resourceType": nodes[p]["resource_type"]}
                for p in node.get("depends_on", {}).get("nodes", []) if p in nodes]

    models, tests = [], []
    for uid, node in manifest.get("nodes", {}).items():
        if node["resource_type"] == "model":
            config = node.get("config", {})
            models.append({
                "uniqueId": uid, "name": node["name"], "description": node.get("description", ""),
                "database": node.get("database"), "schema": node.get("schema"),
                "alias": node.get("alias") or node["name"], "materializedType": config.get("materialized"),
                "tags": node.get("tags", []), "meta": node.get("meta", {}), "fqn": node.get("fqn", []),
                "filePath": node.get("original_file_path"), "packageName": node.get("package_name"),
                "access": node.get("access"), "group": node.get("group"), "language": node.get("language"),
                "rawCode": node.get("raw_code"), "compiledCode": node.get("compiled_code"),
                "contractEnforced": config.get("contract", {}).get("enforced", False),
                "catalog": catalog_of(catalog.get("nodes", {}).get(uid)),
                "executionInfo": execution_of(results.get(uid)), "parents": parents(node),
                "environmentId": environment_id,
            })
        elif node["resource_type"] == "test":
            kind = "GENERIC_DATA_TEST" if node.get("test_metadata") else "SINGULAR_DATA_TEST"
            tests.append({
                "uniqueId": uid, "name": node["name"], "description": node.get("description", ""),
                "columnName": node.get("column_name"), "testType": kind,
                "testedNodeUniqueId": node.get("attached_node"), "tags": node.get("tags", []),
                "executionInfo": execution_of(results.get(uid)), "parents": parents(node),
            })
    sources = [{
        "uniqueId": uid, "name": s["name"], "sourceName": s.get("source_name"),
        "sourceDescription": s.get("source_description", ""), "description": s.get("description", ""),
        "database": s.get("database"), "schema": s.get("schema"), "identifier": s.get("identifier"),
        "loader": s.get("loader"), "tags": s.get("tags", []), "meta": s.get("meta", {}),
        "catalog": catalog_of(catalog.get("sources", {}).get(uid)),
    } for uid, s in manifest.get("sources", {}).items()]
    metadata = manifest.get("metadata", {})
    return {
        "adapterType": metadata.get("adapter_type"),
        "dbtProjectName": metadata.get("project_name") or next(
            (n["package_name"] for n in manifest.get("nodes", {}).values()), None),
        "applied": {
            "lastUpdatedAt": metadata.get("generated_at"),
            "models": lambda **args: connection(models, **args),
            "sources": lambda **args: connection(sources, **args),
            "tests": lambda **args: connection(tests, **args),
        },
    }


def register(app, state):
    """`state.discovery_projects` maps an environment id to a project directory."""
    state.discovery_projects = getattr(state, "discovery_projects", {})

    @app.post("/graphql")
    def graphql():
        header = request.headers.get("Authorization", "")
        token = header.partition(" ")[2]
        if header.partition(" ")[0] not in ("Token", "Bearer") or token not in state.api_tokens:
            return jsonify({"errors": [{"message": "Invalid token"}]}), 401
        denied = authorize(state, state.api_tokens[token])
        if denied is not None:
            return denied
        body = request.get_json(silent=True) or {}
        try:
            if not isinstance(body.get("query"), str):
                raise GraphQlError("Must provide query string.")
            fields = Parser(body["query"], body.get("variables")).document()

            def environment(id=None):  # noqa: A002 (GraphQL's name)
                project = state.discovery_projects.get(str(id))
                if project is None:
                    raise GraphQlError(f"Environment {id} not found")
                return environment_from(project, id)

            data = select({"environment": environment}, fields, "Query")
        except GraphQlError as e:
            return jsonify({"data": None, "errors": [{"message": str(e)}]}), 200
        return jsonify({"data": data})
