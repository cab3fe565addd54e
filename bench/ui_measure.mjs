// The browser half of ui_bench.py: loads Cairn's web UI and dbt's own docs
// site in Debian's Chromium (playwright-core from web/node_modules), each
// run in a fresh browser context (empty cache and storage), and prints one
// JSON object of samples on stdout.
//
//   node bench/ui_measure.mjs --cairn URL --token T --docs URL --query Q --runs N
//
// All times are milliseconds from the navigation's start (performance.now()
// in the page), read when the awaited element is in the DOM and visible.
import { chromium } from "../web/node_modules/playwright-core/index.mjs";
import { CHROMIUM_ARGS } from "../web/tests/harness.mjs";

// The browser tests' flags (nothing leaves the machine), and room for a
// 1 GB manifest beyond V8's default old space.
const ARGS = [...CHROMIUM_ARGS, "--js-flags=--max-old-space-size=8192"];

function options(argv) {
  const out = { runs: 3, query: "customer", timeout: 600_000, chromium: "/usr/bin/chromium" };
  out["docs-runs"] = undefined;
  for (let i = 2; i < argv.length; i += 2) out[argv[i].replace(/^--/, "")] = argv[i + 1];
  out.runs = Number(out.runs);
  out.timeout = Number(out.timeout);
  out.docsRuns = out["docs-runs"] === undefined ? out.runs : Number(out["docs-runs"]);
  return out;
}

async function heapBytes(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("HeapProfiler.collectGarbage");
  const { usedSize } = await cdp.send("Runtime.getHeapUsage");
  await cdp.detach();
  return usedSize;
}

const now = (page) => page.evaluate(() => performance.now());

// Cairn: the home page (search box, catalog counts and the first listing),
// a search typed there, and a search URL opened directly.
async function measureCairn(browser, o) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.addInitScript((token) => sessionStorage.setItem("cairn.token", token), o.token);
  const page = await context.newPage();
  await page.goto(o.cairn + "/", { waitUntil: "commit" });
  await page.locator(".hit").first().waitFor({ timeout: o.timeout });
  await page.locator(".catalog-size").waitFor({ timeout: o.timeout });
  const home = await now(page);
  // From the input event the page receives to the frame that shows the
  // results, both read in the page, so the driver's own latency is left out.
  const box = page.getByRole("searchbox", { name: "Search the catalog" });
  await box.evaluate((element) =>
    element.addEventListener("input", () => (window.cairnTypedAt = performance.now()), { once: true }),
  );
  await box.fill(o.query);
  const shown = await page.waitForFunction(
    (q) =>
      document.querySelector(`.result-count[data-query="${q}"]`) && document.querySelector(".hit")
        ? performance.now() - window.cairnTypedAt
        : null,
    o.query,
    { polling: "raf", timeout: o.timeout },
  );
  const searchTyped = await shown.jsonValue();
  const heap = await heapBytes(page);
  await page.close();

  const direct = await context.newPage();
  await direct.goto(`${o.cairn}/#/search?q=${encodeURIComponent(o.query)}`, { waitUntil: "commit" });
  await direct.waitForFunction(
    (q) => document.querySelector(`.result-count[data-query="${q}"]`) && document.querySelector(".hit"),
    o.query,
    { polling: "raf", timeout: o.timeout },
  );
  const searchDirect = await now(direct);
  await context.close();
  return { home_ms: home, search_typed_ms: searchTyped, search_url_ms: searchDirect, heap_bytes: heap };
}

// dbt docs: usable once the project tree is drawn from manifest + catalog
// (its search box does nothing before); then the same search typed.
async function measureDocs(browser, o) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  try {
    await page.goto(o.docs + "/index.html", { waitUntil: "commit" });
    await page.waitForFunction(
      () => document.querySelectorAll(".menu-tree .filename").length > 0,
      null,
      { polling: 100, timeout: o.timeout },
    );
    const usable = await now(page);
    const box = page.locator('input[placeholder="Search for models..."]').first();
    await box.evaluate((element) =>
      element.addEventListener("input", () => (window.cairnTypedAt = performance.now()), { once: true }),
    );
    await box.fill(o.query);
    const shown = await page.waitForFunction(
      () =>
        document.querySelectorAll(".search-result").length > 0 ? performance.now() - window.cairnTypedAt : null,
      null,
      { polling: "raf", timeout: o.timeout },
    );
    const searchTyped = await shown.jsonValue();
    const heap = await heapBytes(page);
    return { usable_ms: usable, search_typed_ms: searchTyped, heap_bytes: heap };
  } catch (error) {
    return { failed: `${error.message.split("\n")[0]}${errors.length ? ` (page: ${errors[0]})` : ""}` };
  } finally {
    await context.close();
  }
}

const o = options(process.argv);
const browser = await chromium.launch({ executablePath: o.chromium, args: ARGS });
const samples = { cairn: [], docs: [] };
for (let run = 0; run < o.runs; run++) {
  // Alternate the order so that noise hits both alike.
  const order = run % 2 === 0 ? ["cairn", "docs"] : ["docs", "cairn"];
  for (const which of order) {
    if (which === "cairn") samples.cairn.push(await measureCairn(browser, o));
    else if (o.docs && run < o.docsRuns) samples.docs.push(await measureDocs(browser, o));
    else continue;
    process.stderr.write(`    run ${run + 1} ${which}: ${JSON.stringify(samples[which].at(-1))}\n`);
  }
}
await browser.close();
process.stdout.write(JSON.stringify(samples) + "\n");
