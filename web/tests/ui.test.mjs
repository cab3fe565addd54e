// The web UI end to end: Debian's Chromium (playwright-core) against a real
// `cairn serve` holding the bundled example project (Cairn Outfitters: two
// dbt builds, a failing test on fct_daily_revenue, a warning on payments).
// Every test saves a screenshot under the build directory.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { ADMIN_TOKEN, EXAMPLE, FakeDbtCloud, launchBrowser, logIn, Moto, openPage, screenshot, Server } from "./harness.mjs";

const DIM_CUSTOMERS = "cairn_outfitters.analytics.marts.dim_customers";
const DAILY_REVENUE = "cairn_outfitters.analytics.marts.fct_daily_revenue";

describe("web UI", () => {
  let server;
  let browser;
  let page;

  before(async () => {
    server = new Server();
    server.ingestExample();
    await server.start();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function freshPage() {
    await page?.context().close();
    page = await openPage(browser, server);
    return page;
  }

  function assertNoProblems() {
    assert.deepEqual(page.problems, [], "no script errors or failed requests in the console");
  }

  test("serves the page without a token, and the API only with one", async () => {
    const index = await fetch(server.url + "/", { headers: { "Accept-Encoding": "gzip" } });
    assert.equal(index.status, 200);
    assert.match(index.headers.get("content-type"), /^text\/html/);
    assert.match(index.headers.get("content-security-policy"), /default-src 'self'/);
    const search = await fetch(server.url + "/api/v1/search?q=customers");
    assert.equal(search.status, 401);
  });

  test("a wrong token is refused, the right one logs in", async () => {
    await freshPage();
    await page.getByLabel("Service token").fill("cairn_not_a_real_token_at_all_0000000000000");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("alert").waitFor();
    assert.match(await page.getByRole("alert").innerText(), /token/i);
    await screenshot(page, "01-login-refused");
    page.problems = page.problems.filter((p) => !p.includes("401")); // the refusal itself
    await logIn(page);
    assert.equal(await page.evaluate(() => sessionStorage.getItem("cairn.token")), ADMIN_TOKEN);
    assert.equal(await page.evaluate(() => localStorage.length), 0, "nothing in localStorage");
    await screenshot(page, "02-home");
    assertNoProblems();
  });

  test("search as you type, then narrow with a facet", async () => {
    await freshPage();
    await logIn(page);
    const box = page.getByRole("searchbox", { name: "Search the catalog" });
    await box.pressSequentially("customers", { delay: 20 });
    const hit = page.locator(".hit", { hasText: DIM_CUSTOMERS });
    await hit.first().waitFor();
    assert.match(page.url(), /q=customers/, "the query is in the URL");
    const typeFacet = page.locator('[data-facet="resource_type"] .facet-value', { hasText: "model" });
    await typeFacet.first().click();
    await page.locator(".chip.removable", { hasText: "Resource type: model" }).waitFor();
    const types = await page.locator(".hit .type-badge").allInnerTexts();
    assert.ok(types.length > 0);
    assert.ok(types.every((t) => t.toLowerCase() === "model"), `only models: ${types}`);
    await screenshot(page, "03-search-facet");
    assertNoProblems();
  });

  test("an entity page shows columns, tests and their history", async () => {
    await freshPage();
    await logIn(page);
    await page.getByRole("searchbox", { name: "Search the catalog" }).fill("dim_customers");
    // Two versions share the name; the FQN tells them apart.
    const hit = page.locator(".hit").filter({ has: page.getByText(DIM_CUSTOMERS, { exact: true }) });
    await hit.locator(".hit-name").click();
    await page.locator(`article.entity[data-fqn="${DIM_CUSTOMERS}"]`).waitFor();
    const columns = page.getByRole("region", { name: "Columns" });
    await columns.locator('tr[data-column="customer_id"]').waitFor();
    assert.match(await columns.locator('tr[data-column="customer_id"]').innerText(), /unique/);
    assert.ok((await columns.locator("tbody tr").count()) >= 8);
    const tests = page.getByRole("region", { name: "Tests" });
    assert.ok((await tests.locator("tbody tr").count()) >= 3);
    // Two dbt builds ran every test: two dots of history each.
    assert.equal(await tests.locator("tbody tr").first().locator(".dot").count(), 2);
    const chart = page.locator(".history-chart");
    assert.equal(await chart.getAttribute("data-points"), "2");
    assert.equal(await chart.locator("canvas").count(), 1);
    await page.getByRole("tab", { name: "Compiled" }).click();
    assert.match(await page.locator(".code-block code").innerText(), /select/i);
    await screenshot(page, "04-entity");
    assertNoProblems();
  });

  test("a failing test shows on its model", async () => {
    await freshPage();
    await logIn(page);
    await page.goto(`${server.url}/#/entity/${encodeURIComponent(DAILY_REVENUE)}`);
    await page.locator(".entity-head .status.bad", { hasText: "tests: fail" }).waitFor();
    const failing = page.getByRole("region", { name: "Tests" }).locator('.status[data-status="fail"]');
    assert.ok((await failing.count()) >= 1);
    await screenshot(page, "05-entity-failing-test");
  });

  test("tags edited on the page are kept", async () => {
    await freshPage();
    await logIn(page);
    await page.goto(`${server.url}/#/entity/${encodeURIComponent(DIM_CUSTOMERS)}`);
    await page.getByRole("button", { name: "Edit tags" }).click();
    await page.getByLabel("Tags, separated by commas").fill("pii, gold");
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator('[data-field="tags"] .edited').waitFor();
    const entity = await server.api("GET", `/api/v1/entities/${DIM_CUSTOMERS}`);
    assert.deepEqual(entity.body.table.tags, ["pii", "gold"]);
    await screenshot(page, "06-entity-edited-tags");
    assertNoProblems();
  });

  test("lineage draws the graph and navigates to an upstream node", async () => {
    await freshPage();
    await logIn(page);
    await page.goto(`${server.url}/#/entity/${encodeURIComponent(DIM_CUSTOMERS)}`);
    await page.getByRole("link", { name: "Lineage" }).click();
    const graph = page.locator(".lineage-graph[data-nodes]");
    await graph.waitFor();
    const upstream = page.getByRole("region", { name: "Upstream" });
    assert.match(await upstream.innerText(), /stg_shop__customers/);
    // Click the upstream node where Cytoscape drew it, then open its page.
    const point = await graph.evaluate((element) => {
      const node = element.cairnGraph.nodes().filter((n) => n.data("label").startsWith("stg_shop__customers"))[0];
      const box = element.getBoundingClientRect();
      const at = node.renderedPosition();
      return { x: box.left + at.x, y: box.top + at.y };
    });
    await page.mouse.click(point.x, point.y);
    const selected = page.getByRole("region", { name: "Selected node" });
    await selected.waitFor();
    assert.match(await selected.innerText(), /stg_shop__customers/);
    await screenshot(page, "07-lineage");
    await selected.getByRole("link", { name: "Open page" }).click();
    await page.locator('article.entity[data-fqn$="stg_shop__customers"]').waitFor();
    await screenshot(page, "08-upstream-entity");
    assertNoProblems();
  });

  test("lineage opens one hop at first, follows the depth control and marks failing tests", async () => {
    await freshPage();
    await logIn(page);
    await page.goto(`${server.url}/#/lineage/${encodeURIComponent(DAILY_REVENUE)}?depth=3`);
    const graph = page.locator(".lineage-graph[data-nodes]");
    await graph.waitFor();
    const drawn = () => graph.evaluate((element) => element.cairnGraph.nodes().length);
    const collapsed = await drawn();
    const fetched = await page.locator(".lineage-list li").count(); // every node but the root
    assert.ok(collapsed < fetched + 1, `collapsed (${collapsed}) shows less than all ${fetched + 1}`);
    await page.getByRole("button", { name: "Expand all" }).click();
    await page.waitForFunction((n) => document.querySelector(".lineage-graph").cairnGraph?.nodes().length > n, collapsed);
    assert.equal(await drawn(), fetched + 1);
    const failing = await graph.evaluate((element) => element.cairnGraph.nodes(".status-fail").map((n) => n.id()));
    assert.ok(failing.includes(DAILY_REVENUE), `fct_daily_revenue is marked failing: ${failing}`);
    await screenshot(page, "09-lineage-expanded");
    await page.getByLabel("Depth").selectOption("1");
    await page.waitForFunction(() => /depth=1/.test(location.hash));
    await page.waitForFunction((n) => document.querySelectorAll(".lineage-list li").length < n, fetched);
    assertNoProblems();
  });

  test("uploading a manifest through the file picker runs an extraction that succeeds", async () => {
    await freshPage();
    await logIn(page);
    await page.getByRole("link", { name: "Integrations" }).click();
    await page.getByLabel("New dbt integration").fill("outfitters-ci");
    await page.getByRole("button", { name: "Create" }).click();
    await page.getByRole("region", { name: "outfitters-ci" }).waitFor();
    await page.getByLabel("Upload manifest.json").setInputFiles(path.join(EXAMPLE, "target", "manifest.json"));
    await page.getByRole("status").filter({ hasText: "manifest.json" }).waitFor();
    const run = page.locator('tr[data-run][data-status="succeeded"]');
    await run.first().waitFor({ timeout: 60_000 });
    await run.first().click();
    await page.locator(".run-log pre", { hasText: /\S/ }).waitFor();
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByRole("status", { name: "Connection test" }).waitFor();
    assert.match(await page.getByRole("status", { name: "Connection test" }).innerText(), /manifest\.json/);
    await screenshot(page, "10-integration-upload");
    // The manifest the browser streamed is byte for byte the file.
    const test = await server.api("POST", `/api/v1/integrations/${(await server.api("GET", "/api/v1/integrations")).body.items[0].id}/test`);
    const held = test.body.artifacts.find((a) => a.kind === "manifest");
    assert.equal(held.bytes, readFileSync(path.join(EXAMPLE, "target", "manifest.json")).length);
    assertNoProblems();
  });

  test("an admin creates a token, sees it once, and revokes it", async () => {
    await freshPage();
    await logIn(page);
    await page.getByRole("link", { name: "Tokens" }).click();
    await page.getByLabel("New token").fill("airflow-prod");
    await page.getByRole("button", { name: "Create" }).click();
    const secret = await page.locator(".token-string").innerText();
    assert.match(secret, /^cairn_/);
    assert.equal((await server.api("GET", "/api/v1/session", { token: secret })).status, 200);
    await screenshot(page, "11-token-created");
    page.once("dialog", (dialog) => dialog.accept());
    await page.getByRole("button", { name: "Revoke airflow-prod" }).click();
    await page.locator('tr[data-token="airflow-prod"][data-state="2"]').waitFor();
    assert.equal((await server.api("GET", "/api/v1/session", { token: secret })).status, 401);
    await page.reload();
    await page.locator('tr[data-token="airflow-prod"]').waitFor();
    assert.equal(await page.locator(".token-string").count(), 0, "the secret is not shown again");
    await screenshot(page, "12-token-revoked");
    assertNoProblems();
  });

  test("an admin creates a credential block, sees its key masked only, and deletes it", async () => {
    const key = "dbtc_UiTestKeyNeverToBeSeen_5mRwxyz";
    await freshPage();
    await logIn(page);
    await page.getByRole("link", { name: "Credentials" }).click();
    await page.getByLabel("New dbt Cloud block").fill("prod");
    await page.getByLabel("Account id").fill("43");
    const keyField = page.getByLabel("API key");
    assert.equal(await keyField.getAttribute("type"), "password");
    await keyField.fill(key);
    await page.getByRole("button", { name: "Create" }).click();
    const row = page.locator('tr[data-credential="prod"]');
    await row.waitFor();
    assert.match(await row.innerText(), /\*\*\*\*wxyz/);
    assert.equal(await keyField.inputValue(), "", "the key is cleared once sent");
    assert.ok(!(await page.content()).includes(key), "the key is not on the page");
    const listed = await server.api("GET", "/api/v1/credentials");
    assert.deepEqual(listed.body.items.map((b) => [b.name, b.api_key]), [["prod", "****wxyz"]]);
    await screenshot(page, "14-credential-created");
    page.once("dialog", (dialog) => dialog.accept());
    await page.getByRole("button", { name: "Delete prod" }).click();
    await page.getByText("No credential blocks yet.").waitFor();
    assert.deepEqual((await server.api("GET", "/api/v1/credentials")).body.items, []);
    assertNoProblems();
  });

  test("a read-only token sees no integrations or tokens pages", async () => {
    const account = (await server.api("GET", "/api/v1/session")).body.account_id;
    const created = await server.api("POST", `/api/v3/accounts/${account}/service-tokens/`, {
      body: { name: "viewer", permission_grants: [{ permission_set: "metadata_only" }] },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    await freshPage();
    await logIn(page, created.body.data.token_string);
    assert.equal(await page.getByRole("link", { name: "Integrations" }).count(), 0);
    assert.equal(await page.getByRole("link", { name: "Tokens" }).count(), 0);
    assert.equal(await page.getByRole("link", { name: "Credentials" }).count(), 0);
    await page.goto(`${server.url}/#/entity/${encodeURIComponent(DIM_CUSTOMERS)}`);
    await page.locator("article.entity").waitFor();
    assert.equal(await page.getByRole("button", { name: "Edit tags" }).count(), 0);
    await screenshot(page, "13-read-only");
    assertNoProblems();
  });

  test("a bucket integration is tested before it is saved, syncs, and shows its last sync", async () => {
    const moto = await new Moto().start();
    try {
      moto.seed(EXAMPLE, "outfitters-ci", "prod/target/");
      await freshPage();
      await logIn(page);
      await page.getByRole("link", { name: "Integrations" }).click();
      const form = page.getByRole("form", { name: "New integration" });
      await form.getByLabel("New dbt integration").fill("outfitters-bucket");
      await form.getByLabel("Artifacts from").selectOption("s3");
      await form.getByLabel("Bucket", { exact: true }).fill("outfitters-ci");
      await form.getByLabel("Prefix").fill("prod/");
      await form.getByLabel("Endpoint (optional)").fill(moto.url);
      await form.getByLabel("Access key id").fill("testing");
      await form.getByLabel("Secret access key").fill("not-shown-again");
      await form.getByRole("button", { name: "Test connection" }).click();
      const tested = form.getByRole("status", { name: "Connection test" });
      await tested.waitFor();
      assert.match(await tested.innerText(), /Found manifest\.json .* in s3:\/\/outfitters-ci\/prod\/target\//);
      assert.match(await tested.innerText(), /prod\/target\/catalog\.json/);
      await screenshot(page, "14-bucket-tested");
      await form.getByRole("button", { name: "Create" }).click();
      const detail = page.getByRole("region", { name: "outfitters-bucket" });
      await detail.waitFor();
      assert.match(await detail.getByLabel("Bucket", { exact: true }).innerText(), /s3:\/\/outfitters-ci\/prod\/ every 24 h/);
      assert.doesNotMatch(await page.content(), /not-shown-again/);
      // The scheduler syncs a new integration at once; Sync now then finds nothing changed.
      await detail.locator('tr[data-run][data-status="succeeded"]').first().waitFor({ timeout: 60_000 });
      await page.reload();
      await detail.getByLabel("Last sync").filter({ hasText: "read manifest" }).waitFor();
      await detail.getByRole("button", { name: "Sync now" }).click();
      await detail.getByLabel("Last sync").filter({ hasText: "nothing changed" }).waitFor({ timeout: 60_000 });
      await detail.getByRole("button", { name: "Test connection" }).click();
      assert.match(await detail.getByRole("status", { name: "Connection test" }).innerText(), /manifest\.json/);
      await screenshot(page, "15-bucket-synced");

      // Role auth: Cairn shows the external id it generated.
      await form.getByLabel("New dbt integration").fill("outfitters-role");
      await form.getByLabel("Artifacts from").selectOption("s3");
      await form.getByLabel("Authentication").selectOption("assume_role");
      await form.getByLabel("Bucket", { exact: true }).fill("outfitters-ci");
      await form.getByLabel("Endpoint (optional)").fill(moto.url);
      await form.getByLabel("Role ARN").fill("arn:aws:iam::123456789012:role/cairn-reader");
      await form.getByLabel("Base access key id (optional)").fill("testing");
      await form.getByLabel("Base secret access key (optional)").fill("testing");
      await form.getByRole("button", { name: "Create" }).click();
      const role = page.getByRole("region", { name: "outfitters-role" });
      await role.waitFor();
      assert.match(await role.getByLabel("External id").innerText(), /^[0-9a-f-]{36}$/);
      await role.getByLabel("Last sync").filter({ hasText: "succeeded" }).waitFor({ timeout: 60_000 });
      await screenshot(page, "16-bucket-role");
      assertNoProblems();
    } finally {
      await moto.stop();
    }
  });

  test("a dbt Cloud integration syncs the latest successful run of its jobs", async () => {
    const key = "dbtc_UiSyncKeyNeverToBeSeen_q2Lw";
    const cloud = await new FakeDbtCloud(key).start();
    try {
      await cloud.control("/_fake/artifacts", { dir: path.join(EXAMPLE, "target") });
      const [run] = await cloud.control("/_fake/runs", { job_id: 100, count: 1 });
      const block = await server.api("POST", "/api/v1/credentials", {
        body: { type: "dbt-cloud", name: "ui-cloud", account_id: "1", api_key: key, access_url: cloud.url },
      });
      assert.equal(block.status, 201, JSON.stringify(block.body));
      await freshPage();
      await logIn(page);
      await page.getByRole("link", { name: "Integrations" }).click();
      const form = page.getByRole("form", { name: "New integration" });
      await form.getByLabel("New dbt integration").fill("outfitters-cloud");
      await form.getByLabel("Artifacts from").selectOption("dbt_cloud");
      assert.equal(await form.getByRole("button", { name: "Test connection" }).count(), 0);
      await form.getByLabel("Credential block").fill("ui-cloud");
      await form.getByLabel("Job ids").fill("100");
      await form.getByRole("button", { name: "Create" }).click();
      const detail = page.getByRole("region", { name: "outfitters-cloud" });
      await detail.waitFor();
      assert.match(await detail.getByLabel("dbt Cloud").innerText(), /latest successful run of job 100 every 24 h \(credential block ui-cloud\)/);
      await detail.getByLabel("Last sync").filter({ hasText: `read the artifacts of dbt Cloud run ${run}` }).waitFor({ timeout: 60_000 });
      await detail.getByRole("button", { name: "Sync now" }).click();
      await detail.getByLabel("Last sync").filter({ hasText: "nothing changed" }).waitFor({ timeout: 60_000 });
      await detail.getByRole("button", { name: "Test connection" }).click();
      assert.match(await detail.getByRole("status", { name: "Connection test" }).innerText(), new RegExp(`reads run ${run} of job 100`));
      assert.ok(!(await page.content()).includes(key), "the key is not on the page");
      await screenshot(page, "17-dbt-cloud-synced");
      assertNoProblems();
    } finally {
      await cloud.stop();
    }
  });
});
