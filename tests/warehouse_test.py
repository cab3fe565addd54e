"""`cairn ingest` from warehouses: a real PostgreSQL server and a real SQLite file.

PostgreSQL comes from Debian (initdb + postgres in a temporary directory on
127.0.0.1 and a free port, as the postgres user when run as root; stopped by
PID). Tables, views, materialized views, keys and comments are created with
psql; what Cairn made of them is read back with `cairn show --json`.
"""

import json
import os
import sqlite3
import unittest

from cli_test import EX_CONFIG, JAFFLE, CairnTestCase, digest, run
from postgres_server import PASSWORD, PostgresServer

EX_IOERR = 74

SETUP_SQL = """
CREATE SCHEMA sales;
CREATE SCHEMA staging;
CREATE TABLE sales.customers (
  id bigint PRIMARY KEY,
  email text NOT NULL,
  name varchar(200)
);
COMMENT ON TABLE sales.customers IS 'One row per customer';
COMMENT ON COLUMN sales.customers.email IS 'Where receipts go';
CREATE TABLE sales.orders (
  id bigint PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES sales.customers(id),
  total numeric(12,2) DEFAULT 0,
  placed_at timestamptz
);
CREATE TABLE sales.order_lines (
  order_id bigint REFERENCES sales.orders(id),
  line int,
  sku text,
  PRIMARY KEY (order_id, line)
);
CREATE VIEW sales.big_orders AS SELECT id, total FROM sales.orders WHERE total > 100;
CREATE MATERIALIZED VIEW sales.revenue_by_customer AS
  SELECT customer_id, sum(total) AS revenue FROM sales.orders GROUP BY customer_id;
CREATE TABLE staging.tmp_load (x int);
CREATE TABLE staging.stg_orders (id bigint);
INSERT INTO sales.customers SELECT g, 'c' || g || '@example.com', 'C' || g FROM generate_series(1, 50) g;
ANALYZE sales.customers;
"""

# What jaffle_shop's dbt project builds, as the warehouse holds it (a few of
# its relations), and a table dbt does not know.
JAFFLE_SQL = """
CREATE SCHEMA main;
CREATE TABLE main.customers (
  customer_id text PRIMARY KEY,
  customer_name text NOT NULL,
  count_lifetime_orders bigint,
  lifetime_spend numeric(12,2),
  loyalty_tier text
);
COMMENT ON TABLE main.customers IS 'written by the DBA';
COMMENT ON COLUMN main.customers.loyalty_tier IS 'set by the CRM sync';
CREATE TABLE main.orders (
  order_id text PRIMARY KEY,
  customer_id text REFERENCES main.customers(customer_id),
  ordered_at timestamp
);
CREATE VIEW main.stg_customers AS SELECT customer_id, customer_name FROM main.customers;
CREATE TABLE main.audit_log (at timestamptz);
"""


def workflow(source_type, connection, pipeline=(), service="warehouse"):
    lines = ["source:", f"  type: {source_type}", f"  serviceName: {service}", "  serviceConnection:",
             "    config:"]
    lines += [f"      {line}" for line in connection]
    lines += ["  sourceConfig:", "    config:", "      type: DatabaseMetadata"]
    lines += [f"      {line}" for line in pipeline]
    lines += ["sink:", "  type: metadata-store", "  config: {}"]
    return "\n".join(lines) + "\n"


class Postgres(CairnTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = PostgresServer()
        cls.server.psql("CREATE DATABASE shop")
        cls.server.psql(SETUP_SQL, database="shop")
        cls.server.psql("CREATE DATABASE archive")
        cls.server.psql("CREATE TABLE public.old_orders (id int)", database="archive")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def connection(self, password=PASSWORD, *extra):
        return ["type: Postgres", "username: cairn", "authType:", f"  password: {password}",
                f"hostPort: 127.0.0.1:{self.server.port}", "database: shop", *extra]

    def ingest(self, *pipeline, connection=None):
        path = self.write("pg.yaml", workflow("postgres", connection or self.connection(), pipeline))
        return self.ingest_json("-c", path)

    def show(self, fqn):
        return json.loads(run("show", fqn, "--db", self.url, "--json", check=True).stdout)

    def test_tables_views_keys_and_comments(self):
        report = self.ingest()
        self.assertEqual(report["tables_seen"], 7)
        customers = self.show("warehouse.shop.sales.customers")["table"]
        self.assertEqual(customers["table_type"], "table")
        self.assertEqual(customers["description"], "One row per customer")
        self.assertEqual(customers["stats"]["row_count"], 50)
        self.assertGreater(customers["stats"]["bytes"], 0)
        columns = {c["name"]: c for c in customers["columns"]}
        self.assertEqual([c["name"] for c in customers["columns"]], ["id", "email", "name"])
        self.assertEqual(columns["name"]["data_type"], "character varying(200)")
        self.assertEqual(columns["email"]["description"], "Where receipts go")
        self.assertIn({"type": "primary_key"}, columns["id"]["constraints"])
        self.assertIn({"type": "not_null"}, columns["email"]["constraints"])
        self.assertEqual(columns["name"]["constraints"], [])

        orders = {c["name"]: c for c in self.show("warehouse.shop.sales.orders")["table"]["columns"]}
        foreign = [k for k in orders["customer_id"]["constraints"] if k["type"] == "foreign_key"]
        self.assertEqual(foreign[0]["to"], "warehouse.shop.sales.customers")
        self.assertEqual(foreign[0]["to_columns"], ["id"])
        self.assertEqual(orders["total"]["data_type"], "numeric(12,2)")
        self.assertEqual(orders["total"]["meta"]["default"], "0")
        lines = {c["name"]: c for c in self.show("warehouse.shop.sales.order_lines")["table"]["columns"]}
        self.assertIn({"type": "primary_key", "columns": ["order_id", "line"]}, lines["line"]["constraints"])

        view = self.show("warehouse.shop.sales.big_orders")["table"]
        self.assertEqual(view["table_type"], "view")
        self.assertIn("WHERE orders.total > 100", view["definition"])
        matview = self.show("warehouse.shop.sales.revenue_by_customer")["table"]
        self.assertEqual(matview["table_type"], "materialized_view")
        self.assertIn("sum(orders.total)", matview["definition"])
        text = run("show", "warehouse.shop.sales.big_orders", "--db", self.url, check=True).stdout
        self.assertIn("definition:", text)
        text = run("show", "warehouse.shop.sales.customers", "--db", self.url, check=True).stdout
        self.assertRegex(text, r"stats: .*row_count 50")
        self.assertIn("primary key", text)
        text = run("show", "warehouse.shop.sales.orders", "--db", self.url, check=True).stdout
        self.assertIn("references warehouse.shop.sales.customers(id)", text)

    def test_dbt_attaches_to_the_warehouse_tables_in_either_order(self):
        self.server.psql("CREATE DATABASE jaffle_shop")
        self.server.psql(JAFFLE_SQL, database="jaffle_shop")
        connection = [line if not line.startswith("database:") else "database: jaffle_shop"
                      for line in self.connection()]
        config = self.write("jaffle.yaml", workflow("postgres", connection, service="jaffle"))
        fqns = [f"jaffle.jaffle_shop.main.{name}" for name in ("customers", "orders", "stg_customers",
                                                              "audit_log", "locations")]
        catalogs = []
        for order in (("warehouse", "dbt"), ("dbt", "warehouse")):
            url = "sqlite:" + os.path.join(self.dir, "-".join(order) + ".db")
            for step in order:
                if step == "warehouse":
                    run("ingest", "-c", config, "--db", url, check=True)
                else:
                    run("ingest", "dbt", JAFFLE, "--db", url, "--service", "jaffle", check=True)
            catalogs.append({fqn: json.loads(run("show", fqn, "--db", url, "--json", check=True).stdout)
                             for fqn in fqns})
        self.assertEqual(catalogs[0], catalogs[1])

        customers = catalogs[0]["jaffle.jaffle_shop.main.customers"]
        self.assertEqual(customers["dbt"]["unique_id"], "model.jaffle_shop.customers")
        with open(os.path.join(JAFFLE, "manifest.json")) as f:
            model = json.load(f)["nodes"]["model.jaffle_shop.customers"]
        self.assertEqual(customers["table"]["description"], model["description"])
        columns = {c["name"]: c for c in customers["table"]["columns"]}
        self.assertEqual(list(columns)[:5], ["customer_id", "customer_name", "count_lifetime_orders",
                                             "lifetime_spend", "loyalty_tier"])
        self.assertEqual(columns["lifetime_spend"]["data_type"], "numeric(12,2)")
        self.assertIn({"type": "primary_key"}, columns["customer_id"]["constraints"])
        self.assertEqual(columns["customer_id"]["description"], model["columns"]["customer_id"]["description"])
        self.assertEqual(columns["loyalty_tier"]["description"], "set by the CRM sync")
        self.assertIn("first_ordered_at", columns, "columns only dbt knows are kept")
        self.assertEqual(catalogs[0]["jaffle.jaffle_shop.main.stg_customers"]["table"]["table_type"], "view")
        self.assertIsNone(catalogs[0]["jaffle.jaffle_shop.main.audit_log"]["dbt"])
        self.assertEqual(catalogs[0]["jaffle.jaffle_shop.main.locations"]["dbt"]["unique_id"],
                         "model.jaffle_shop.locations", "dbt creates the tables the warehouse lacks")

    def test_filters_and_include_views(self):
        report = self.ingest("includeViews: false", "schemaFilterPattern:", "  excludes: [staging$]",
                             "tableFilterPattern:", "  excludes: ['order_']")
        self.assertEqual(report["tables_seen"], 2)  # customers, orders
        self.assertEqual(report["filtered"], 4)  # staging, order_lines, the two views
        self.assertEqual(report["catalog"]["tables"], 2)
        self.assertEqual(self.show("warehouse.shop.sales.orders")["table"]["name"], "orders")
        for gone in ("warehouse.shop.sales.order_lines", "warehouse.shop.sales.big_orders",
                     "warehouse.shop.staging.stg_orders"):
            self.assertEqual(run("show", gone, "--db", self.url).returncode, 66, gone)

    def test_every_database_when_asked(self):
        report = self.ingest("databaseFilterPattern:", "  includes: [shop, archive]",
                             connection=self.connection(PASSWORD, "ingestAllDatabases: true"))
        self.assertEqual(report["tables_seen"], 8)
        self.assertEqual(self.show("warehouse.archive.public.old_orders")["table"]["name"], "old_orders")

    def test_a_dropped_table_is_marked_deleted_unless_told_to_keep_it(self):
        self.server.psql("CREATE TABLE sales.returns (id int)", database="shop")
        try:
            self.ingest()
        finally:
            self.server.psql("DROP TABLE sales.returns", database="shop")
        report = self.ingest()
        self.assertEqual(report["applied"]["tables"]["marked_deleted"], 1)
        self.assertIsNotNone(self.show("warehouse.shop.sales.returns")["table"]["deleted_at"])
        text = run("show", "warehouse.shop.sales.returns", "--db", self.url, check=True).stdout
        self.assertIn("DELETED: gone from the warehouse since", text)
        proc = run("search", "returns", "--db", self.url, "--json")
        self.assertEqual(proc.returncode, 1, "no results, as grep says it")
        self.assertEqual(json.loads(proc.stdout)["total"], 0)
        # Filtered out of a later run, a schema's tables are not deleted.
        report = self.ingest("schemaFilterPattern:", "  includes: [staging]")
        self.assertEqual(report["applied"]["tables"]["marked_deleted"], 0)
        self.assertIsNone(self.show("warehouse.shop.sales.orders")["table"]["deleted_at"])

    def test_mark_deleted_tables_false_keeps_what_is_gone(self):
        self.server.psql("CREATE TABLE sales.gone_soon (id int)", database="shop")
        try:
            self.ingest()
        finally:
            self.server.psql("DROP TABLE sales.gone_soon", database="shop")
        report = self.ingest("markDeletedTables: false")
        self.assertEqual(report["applied"]["tables"]["marked_deleted"] + report["applied"]["tables"]["removed"], 0)
        self.assertIsNone(self.show("warehouse.shop.sales.gone_soon")["table"]["deleted_at"])

    def test_a_wrong_password_fails_clearly_and_never_shows_it(self):
        self.ingest()
        before = digest(self.db)
        path = self.write("bad.yaml", workflow("postgres", self.connection("not-the-Pa55word")))
        proc = run("ingest", "-c", path, "--db", self.url)
        self.assertEqual(proc.returncode, EX_IOERR, proc.stderr)
        self.assertIn(f"cannot connect to PostgreSQL at cairn@127.0.0.1:{self.server.port}/shop", proc.stderr)
        self.assertIn("password authentication failed", proc.stderr)
        self.assertNotIn("not-the-Pa55word", proc.stderr + proc.stdout)
        self.assertEqual(digest(self.db), before)

    def test_config_errors_name_the_field(self):
        path = self.write("bad.yaml", workflow("postgres", ["username: cairn", "hostPort: nohost:port"]))
        proc = run("ingest", "-c", path, "--db", self.url)
        self.assertEqual(proc.returncode, EX_CONFIG, proc.stderr)
        self.assertIn("$.source.serviceConnection.config.hostPort", proc.stderr)
        path = self.write("bad.yaml", workflow("postgres", self.connection(), ["tableFilterPattern:",
                                                                               "  includes: ['(']"]))
        proc = run("ingest", "-c", path, "--db", self.url)
        self.assertEqual(proc.returncode, EX_CONFIG, proc.stderr)
        self.assertIn("$.source.sourceConfig.config.tableFilterPattern.includes[0]", proc.stderr)


class Sqlite(CairnTestCase):
    def setUp(self):
        super().setUp()
        self.file = os.path.join(self.dir, "crm.sqlite")
        db = sqlite3.connect(self.file)
        db.executescript("""
            CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT NOT NULL, tier TEXT DEFAULT 'free');
            CREATE TABLE contacts (id INTEGER PRIMARY KEY, account_id INTEGER REFERENCES accounts,
                                   email TEXT, FOREIGN KEY (email) REFERENCES emails(address));
            CREATE TABLE emails (address TEXT PRIMARY KEY);
            CREATE VIEW paying AS SELECT id, name FROM accounts WHERE tier <> 'free';
        """)
        db.close()

    def test_tables_views_and_keys(self):
        path = self.write("sqlite.yaml", workflow("sqlite", ["type: SQLite", f"databaseMode: {self.file}"]))
        report = self.ingest_json("-c", path)
        self.assertEqual(report["tables_seen"], 4)
        show = json.loads(run("show", "warehouse.crm.main.contacts", "--db", self.url, "--json", check=True).stdout)
        columns = {c["name"]: c for c in show["table"]["columns"]}
        self.assertIn({"type": "primary_key"}, columns["id"]["constraints"])
        keys = [k for k in columns["account_id"]["constraints"] if k["type"] == "foreign_key"]
        self.assertEqual(keys[0]["to"], "warehouse.crm.main.accounts")
        self.assertEqual(keys[0]["to_columns"], ["id"], "REFERENCES without columns means the primary key")
        accounts = json.loads(run("show", "warehouse.crm.main.accounts", "--db", self.url, "--json",
                                  check=True).stdout)["table"]["columns"]
        self.assertEqual(accounts[2]["meta"]["default"], "'free'")
        self.assertIn({"type": "not_null"}, accounts[1]["constraints"])
        view = json.loads(run("show", "warehouse.crm.main.paying", "--db", self.url, "--json",
                              check=True).stdout)["table"]
        self.assertEqual(view["table_type"], "view")
        self.assertEqual(view["definition"], "SELECT id, name FROM accounts WHERE tier <> 'free'")

    def test_a_missing_file_is_not_created(self):
        missing = os.path.join(self.dir, "nope.sqlite")
        path = self.write("sqlite.yaml", workflow("sqlite", ["type: SQLite", f"databaseMode: {missing}"]))
        proc = run("ingest", "-c", path, "--db", self.url)
        self.assertEqual(proc.returncode, 66, proc.stderr)
        self.assertIn("no such SQLite file", proc.stderr)
        self.assertFalse(os.path.exists(missing))


if __name__ == "__main__":
    unittest.main()
