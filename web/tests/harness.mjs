// Browser tests' fixtures: a real `cairn serve` on 127.0.0.1 (free port,
// stopped by PID) over a fresh catalog holding the bundled example project,
// and Debian's Chromium driven by playwright-core.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..", "..");

// Ends a child process by its PID (SIGTERM) and waits until it has exited.
async function stopByPid(proc) {
  if (!proc || proc.exitCode !== null) return;
  const exited = new Promise((resolve) => proc.on("exit", resolve));
  process.kill(proc.pid, "SIGTERM");
  await exited;
}

export const CAIRN = process.env.CAIRN_BIN ?? path.join(root, "build", "src", "cli", "cairn");
export const EXAMPLE = process.env.CAIRN_EXAMPLE_DIR ?? path.join(root, "build", "examples", "cairn_outfitters");
export const SCREENSHOTS = process.env.CAIRN_SCREENSHOT_DIR ?? path.join(root, "build", "screenshots");
export const CHROMIUM = process.env.CAIRN_CHROMIUM ?? "/usr/bin/chromium";
export const ADMIN_TOKEN = "cairn_browser_test_admin_token_0123456789abcdef";

// The flags DEVELOPERS.md asks for: nothing leaves the machine.
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

function run(args) {
  const result = spawnSync(CAIRN, args, { encoding: "utf8", timeout: 300_000 });
  if (result.status !== 0) {
    throw new Error(`cairn ${args.join(" ")} exited ${result.status}:\n${result.stderr}${result.stdout}`);
  }
}

export class Server {
  constructor() {
    this.dir = mkdtempSync(path.join(tmpdir(), "cairn-web-"));
    this.db = `sqlite:${path.join(this.dir, "cairn.db")}`;
    this.log = [];
  }

  // Yesterday's and today's build of the example project, as the main command loads it.
  ingestExample() {
    run(["ingest", "dbt", path.join(EXAMPLE, "target_previous"), "--service", "cairn_outfitters", "--db", this.db]);
    run(["ingest", "dbt", path.join(EXAMPLE, "target"), "--service", "cairn_outfitters", "--db", this.db]);
  }

  start() {
    this.proc = spawn(
      CAIRN,
      ["serve", "--db", this.db, "--host", "127.0.0.1", "--port", "0", "--data-dir", path.join(this.dir, "data")],
      { env: { ...process.env, CAIRN_ADMIN_TOKEN: ADMIN_TOKEN }, stdio: ["ignore", "pipe", "pipe"] },
    );
    this.proc.stderr.on("data", (chunk) => this.log.push(chunk.toString()));
    return new Promise((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`cairn serve did not start:\n${this.logs()}`)), 60_000);
      this.proc.stdout.on("data", (chunk) => {
        out += chunk.toString();
        const match = /serving (https?:\/\/\S+)/.exec(out);
        if (match && !this.url) {
          clearTimeout(timer);
          this.url = match[1].replace(/\/$/, "");
          resolve(this);
        }
      });
      this.proc.on("exit", (code) => {
        clearTimeout(timer);
        if (!this.url) reject(new Error(`cairn serve exited ${code}:\n${this.logs()}`));
      });
    });
  }

  logs() {
    return this.log.join("").slice(-20000);
  }

  async api(method, route, { token = ADMIN_TOKEN, body } = {}) {
    const response = await fetch(this.url + route, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  async stop() {
    await stopByPid(this.proc);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// The tests' dbt Cloud (tests/fake_dbt_cloud, Flask) on a free port.
export class FakeDbtCloud {
  constructor(apiToken) {
    this.apiToken = apiToken;
  }

  async start() {
    this.proc = spawn("python3", ["-m", "fake_dbt_cloud", "--api-token", this.apiToken, "--account-id", "1"], {
      cwd: path.join(root, "tests"),
      stdio: ["pipe", "pipe", "ignore"],
    });
    this.url = await new Promise((resolve, reject) => {
      let out = "";
      this.proc.stdout.on("data", (chunk) => {
        out += chunk;
        const match = /listening (\S+)/.exec(out);
        if (match) resolve(match[1]);
      });
      this.proc.on("exit", (code) => reject(new Error(`fake_dbt_cloud exited (${code})`)));
    });
    return this;
  }

  // A test control of the fake (/_fake/...).
  async control(route, body) {
    const response = await fetch(`${this.url}${route}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${route}: HTTP ${response.status}`);
    return response.json();
  }

  async stop() {
    await stopByPid(this.proc);
  }
}

// moto_server (the machine's Python) on a free port, seeded with boto3.
export class Moto {
  async start() {
    const { createServer } = await import("node:net");
    this.port = await new Promise((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address();
        probe.close(() => resolve(port));
      });
    });
    this.url = `http://127.0.0.1:${this.port}`;
    this.proc = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(this.port)], { stdio: "ignore" });
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`${this.url}/moto-api/reset`, { method: "POST" })).ok) return this;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("moto_server did not start");
  }

  // A bucket holding the project's target/ under `prefix`.
  seed(projectDir, bucket, prefix) {
    const code = [
      "import boto3, os, sys",
      `s3 = boto3.client('s3', endpoint_url='${this.url}', region_name='us-east-1', aws_access_key_id='testing', aws_secret_access_key='testing')`,
      `s3.create_bucket(Bucket='${bucket}')`,
      "for name in ['manifest.json', 'run_results.json', 'catalog.json']:",
      `    s3.upload_file(os.path.join(sys.argv[1], 'target', name), '${bucket}', '${prefix}' + name)`,
    ].join("\n");
    const result = spawnSync("python3", ["-c", code, projectDir], { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`seeding moto failed:\n${result.stderr}`);
  }

  async stop() {
    await stopByPid(this.proc);
  }
}

export async function launchBrowser() {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

// A page in a fresh context (its own sessionStorage), with console errors
// and failed requests collected so that a test can assert there were none.
export async function openPage(browser, server) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.problems = [];
  page.on("pageerror", (error) => page.problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") page.problems.push(`console: ${message.text()}`);
  });
  await page.goto(server.url + "/");
  return page;
}

export async function logIn(page, token = ADMIN_TOKEN) {
  await page.getByLabel("Service token").fill(token);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("searchbox", { name: "Search the catalog" }).waitFor();
}

export async function screenshot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0)); // the sticky top bar stays on top
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
