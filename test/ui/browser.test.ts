// The web UI in a real browser: Debian's Chromium (headless, playwright-core) on the pages a real
// `weir server` serves, with real workers running the ML pipeline example and the suite's fixture
// workflows. The tests share one runtime and run in order (later pages show earlier runs); every
// wait is for a condition on the page, and each page is saved as a screenshot under test-output/ui/.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ExecutionState } from "../../proto/index.ts";
import { generatePartition, partitionCsv } from "../../runtime/cli/demo-data.ts";
import { cleanup, tempDir, waitFor, waitForExecution } from "../e2e/harness.ts";
import { type Browser, hasChromium, launchChromium, openTab, screenshot, shownText } from "./chromium.ts";
import { startServer, startUiStack, type UiStack } from "./ui-stack.ts";

const UI_SUITE = Object.freeze({
  /** The issue's bound: a 10,000-node execution opens (its map's counts visible) within this. */
  openBudgetMs: 2_000,
  wideItems: 10_000,
  /** A day no real partition uses. */
  day: "2031-05-01",
  token: "ui-suite-token-7f3a",
});

const int = (n: number) => ({ value: { case: "scalar" as const, value: { value: { case: "integer" as const, value: BigInt(n) } } } });
const node = (id: string, state?: string) => `[data-testid="graph-node-${id}"]${state ? `[data-state="${state}"]` : ""}`;

let stack: UiStack;
let browser: Browser;
/** Executions made by earlier tests that later pages show. */
const made: { ml?: string; failed?: string } = {};

// Generous: every test waits on real processes, and the 2-core CI box may be busy with other suites.
describe.skipIf(!hasChromium)("the web UI in Chromium (skipped where /usr/bin/chromium is absent; CI installs it)", { timeout: 120_000 }, () => {
  beforeAll(async () => {
    [stack, browser] = await Promise.all([startUiStack(), launchChromium()]);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    stack?.client.close();
    await cleanup();
  }, 60_000);

  test("the ML pipeline's graph: resources, retries and cache on each node; an edge's hover shows its columns, Arrow types and nullability", async () => {
    const { page, errors } = await openTab(browser);
    await page.goto(`${stack.url}/workflows/ml_pipeline`);
    await page.locator('[data-testid="workflow-graph"][data-ready="true"]').waitFor();
    const train = await shownText(page.locator(node("train")));
    expect(train).toContain("pool gpu");
    expect(train).toContain("gpu ×1");
    expect(train).toContain("retries 2");
    expect(train).toContain("cache logreg-v1");

    await page.hover('[data-testid="edge-label-ingest-clean"]');
    const tip = page.locator('[data-testid="edge-tooltip"]');
    await tip.waitFor();
    expect(await shownText(tip.locator('[data-testid="column-age"]'))).toMatch(/age\s+Utf8\s+nullable/);
    expect(await shownText(tip.locator('[data-testid="column-user_id"]'))).toMatch(/user_id\s+Int64\s+not null/);
    expect(await shownText(tip.locator('[data-testid="column-churned"]'))).toMatch(/churned\s+Bool\s+not null/);
    await screenshot(page, "workflow-graph-edge-hover");

    // clean → train: train reads four of the six columns (a projection), age widened to Int64.
    await page.hover('[data-testid="edge-label-clean-train"]');
    await tip.locator('[data-testid="column-country"]').waitFor();
    expect(await tip.locator('[data-testid="column-country"]').getAttribute("class")).toContain("unread");
    expect(await shownText(tip.locator('[data-testid="column-age"]'))).toMatch(/age\s+Int32\s+not null/);

    // The branch is one node until expanded; then its arms' nodes are drawn inside it.
    await page.mouse.move(0, 0);
    await page.click('[data-testid="expand-branch"]');
    await page.locator(node("branch.deploy")).waitFor();
    await page.locator(node("branch.hold_back")).waitFor();
    expect(await shownText(page.locator(node("branch.deploy")))).toContain("if validate.passed == true");
    await screenshot(page, "workflow-graph-branch-expanded");
    expect(errors).toEqual([]);
  });

  test("a run started from the generated form: validated before submit, then its nodes turn green live, and a node's logs open", async () => {
    const { page, errors } = await openTab(browser);
    await page.goto(`${stack.url}/workflows/ml_pipeline`);
    await page.click('[data-testid="run-submit"]');
    expect(await shownText(page.locator('[data-testid="field-error-day"]'))).toBe("required");
    expect(new URL(page.url()).pathname).toBe("/workflows/ml_pipeline");
    expect(await page.locator('[data-testid="input-day"]').getAttribute("type")).toBe("date");
    await page.fill('[data-testid="input-day"]', UI_SUITE.day);
    await screenshot(page, "run-form");
    await page.click('[data-testid="run-submit"]');
    await page.waitForURL(/\/executions\/[^/]+$/);
    made.ml = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
    // The page is not reloaded from here on: what changes arrives over WatchExecution.
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));

    // The sensor waits for the day's partition, which lands only once the page shows it waiting.
    await page.locator(node("sensor", "waiting")).waitFor();
    await screenshot(page, "execution-waiting");
    await generatePartition(stack.mlProject, UI_SUITE.day, { rows: 400 });
    for (const id of ["sensor", "ingest", "clean", "train", "validate", "branch"]) await page.locator(node(id, "succeeded")).waitFor({ timeout: 90_000 });
    await page.locator('[data-testid="execution-state"][data-state="succeeded"]').waitFor();
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    expect(await page.locator('[data-testid="timeline-row-train"] .bar').count()).toBeGreaterThan(0);
    await screenshot(page, "execution-succeeded");

    // A node's panel: its attempts, its inputs and outputs (a dataframe by its schema and first rows), its logs.
    await page.click(node("clean"));
    const panel = page.locator('[data-testid="node-panel"]');
    await panel.locator('[data-testid="attempt-1"]').waitFor();
    expect(await shownText(panel.locator('[data-testid="attempt-1"]'))).toContain("ml-worker");
    expect(await shownText(panel.locator('[data-testid="node-logs"]'))).toMatch(/kept \d+ of 400 rows/);
    const features = await shownText(panel.locator('[data-testid="output-features"]'));
    expect(features).toMatch(/\d+ rows/);
    expect(features).toMatch(/country\s+Dictionary<Int32, Utf8>\s+not null/);
    // Its first rows, downloaded from the artifact store over Connect and read with apache-arrow:
    // a real user of the day's partition, with the country and sessions the CSV gave them.
    const rows = panel.locator('[data-testid="output-features"] [data-testid="dataframe-rows"]');
    await rows.waitFor();
    expect(await rows.locator("thead th").allTextContents()).toEqual(["user_id", "age", "country", "sessions", "spend", "churned"]);
    expect(await rows.locator("tbody tr").count()).toBe(10);
    const [userId, , country, sessions] = await rows.locator("tbody tr").first().locator("td").allInnerTexts();
    const csvRow = partitionCsv(UI_SUITE.day, { rows: 400 })
      .split("\n")
      .find((line) => line.startsWith(`${userId},`));
    expect(csvRow?.split(",").slice(2, 4)).toEqual([country, sessions]);
    expect(new URL(page.url()).searchParams.get("node")).toBe("clean");
    await screenshot(page, "execution-node-logs");

    // A GPU task's attempt names the device it was given, by the name its worker declared.
    await page.click(node("train"));
    await panel.locator('[data-testid="attempt-1-gpus"]').waitFor();
    expect(await shownText(panel.locator('[data-testid="attempt-1-gpus"]'))).toBe("GPU 0 · declared GPU");
    await screenshot(page, "execution-node-gpus");
    expect(errors).toEqual([]);
  }, 150_000);

  test("a run that fails shows its error with its code and the column it names", async () => {
    const { page, errors } = await openTab(browser);
    await page.goto(`${stack.url}/workflows/exports`);
    await page.fill('[data-testid="input-day"]', UI_SUITE.day);
    await page.click('[data-testid="run-submit"]');
    await page.waitForURL(/\/executions\/[^/]+$/);
    made.failed = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
    await page.locator('[data-testid="execution-state"][data-state="failed"]').waitFor();
    const error = await shownText(page.locator('[data-testid="execution-error"]'));
    expect(error).toContain("export_users");
    expect(error).toContain("tenure_days");

    await page.click(node("export_users", "failed"));
    expect(await shownText(page.locator('[data-testid="node-error-code"]'))).toBe("OUTPUT_INVALID");
    expect(await shownText(page.locator('[data-testid="node-error"]'))).toMatch(/missing column 'tenure_days' \(int32\)/);
    await page.locator(node("report", "skipped")).waitFor();
    await screenshot(page, "execution-failed");

    // Recover: a new execution that reruns what failed (and fails the same way: the task still lies).
    await page.click('[data-testid="recover"]');
    await page.waitForURL((url) => !url.pathname.endsWith(encodeURIComponent(made.failed!)));
    await page.locator(`text=recovers ${made.failed}`).waitFor();
    expect(errors).toEqual([]);
  });

  test("a dataframe input uploaded from the run form: a CSV missing a declared column is refused before anything is sent", async () => {
    const { page, errors } = await openTab(browser);
    await page.goto(`${stack.url}/workflows/count_users`);
    expect(await page.locator('[data-testid="input-users"]').getAttribute("type")).toBe("file");
    await page.setInputFiles('[data-testid="input-users"]', { name: "users.csv", mimeType: "text/csv", buffer: Buffer.from("user_id\n1\n2\n") });
    await page.click('[data-testid="run-submit"]');
    expect(await shownText(page.locator('[data-testid="field-error-users"]'))).toMatch(/users\.csv: .*tenure_days/);
    expect(new URL(page.url()).pathname).toBe("/workflows/count_users");

    const csv = "user_id,tenure_days\n1,30\n2,365\n3,7\n";
    await page.setInputFiles('[data-testid="input-users"]', { name: "users.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.click('[data-testid="run-submit"]');
    await page.waitForURL(/\/executions\/[^/]+$/);
    await page.locator('[data-testid="execution-state"][data-state="succeeded"]').waitFor();
    await page.click(node("count_users"));
    const users = await shownText(page.locator('[data-testid="node-inputs"]'));
    expect(users).toMatch(/3\s+rows/);
    expect(users).toMatch(/tenure_days\s+Int32\s+not null/);
    expect(await shownText(page.locator('[data-testid="output-rows"]'))).toContain("3");
    expect(await shownText(page.locator('[data-testid="output-longest"]'))).toContain("365");
    await screenshot(page, "execution-uploaded-dataframe");
    expect(errors).toEqual([]);
  });

  test("terminating a running execution, its node's logs streaming meanwhile", async () => {
    const { execution } = await stack.client.createExecution({ workflow: "hold", inputs: { literals: { ms: int(120_000) } } });
    const { page, errors } = await openTab(browser);
    await page.goto(`${stack.url}/executions/${encodeURIComponent(execution!.id)}?node=hold`);
    await page.locator(node("hold", "running")).waitFor();
    // Lines arrive while the task runs: one a second.
    await page.waitForFunction(() => (document.querySelector('[data-testid="node-logs"]')?.textContent?.match(/holding/g)?.length ?? 0) >= 2);
    await page.click('[data-testid="terminate"]');
    await page.fill('[data-testid="terminate-reason"]', "stopped by the browser suite");
    await page.click('[data-testid="terminate-confirm"]');
    await page.locator('[data-testid="execution-state"][data-state="terminated"]').waitFor();
    await page.locator(node("hold", "cancelled")).waitFor();
    await screenshot(page, "execution-terminated");
    expect(errors).toEqual([]);
  });

  test(`an execution of ${UI_SUITE.wideItems.toLocaleString("en")} nodes opens within ${UI_SUITE.openBudgetMs} ms and stays responsive`, async () => {
    const { execution } = await stack.client.createExecution({ workflow: "wide", inputs: { literals: { n: int(UI_SUITE.wideItems) } } });
    const id = execution!.id;
    const ended = await waitForExecution(stack.client, id, 180_000);
    expect(ended.state).toBe(ExecutionState.SUCCEEDED);

    const { page, errors } = await openTab(browser);
    // Warm the page's cache as a returning user would have it (the assets are immutable, hashed).
    await page.goto(`${stack.url}/workers`);
    await page.locator('[data-testid="workers-page"]').waitFor();
    const counted = '[data-testid="map-counts-square"] [data-testid="map-count-succeeded"]';
    const started = performance.now();
    await page.goto(`${stack.url}/executions/${encodeURIComponent(id)}`, { waitUntil: "commit" });
    await page.locator(counted).waitFor();
    const openMs = performance.now() - started;
    expect(await shownText(page.locator(counted))).toBe(`${UI_SUITE.wideItems} succeeded`);
    const marks = await page.evaluate(() =>
      Object.fromEntries(["weir:snapshot", "weir:graph-laid-out"].map((m) => [m, Math.round(performance.getEntriesByName(m)[0]?.startTime ?? -1)])),
    );
    const watch = await page.evaluate(() =>
      Math.round((performance.getEntriesByType("resource").find((e) => e.name.endsWith("/WatchExecution")) as PerformanceResourceTiming)?.responseStart ?? -1),
    );
    process.stdout.write(
      `[ui] a ${UI_SUITE.wideItems}-node execution opened (map counts visible) in ${Math.round(openMs)} ms` +
        ` (page clock: snapshot's first byte ${watch} ms, decoded ${marks["weir:snapshot"]} ms, graph laid out ${marks["weir:graph-laid-out"]} ms)\n`,
    );
    await screenshot(page, "execution-10k");
    expect(openMs).toBeLessThan(UI_SUITE.openBudgetMs);

    // Its items, listed only when asked for, virtualised: the last one is a scroll away.
    let t = performance.now();
    await page.click('[data-testid="expand-square"]');
    await page.locator('[data-testid="item-row-square[0]"]').waitFor();
    const listMs = performance.now() - t;
    t = performance.now();
    await page.locator('[data-testid="map-items-scroll"]').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await page.locator(`[data-testid="item-row-square[${UI_SUITE.wideItems - 1}]"]`).waitFor();
    const scrollMs = performance.now() - t;
    expect(await page.locator(".item-row").count()).toBeLessThan(200);
    t = performance.now();
    await page.click(`[data-testid="item-row-square[${UI_SUITE.wideItems - 1}]"]`);
    await page.locator('[data-testid="node-panel"] [data-testid="attempt-1"]').waitFor();
    const itemMs = performance.now() - t;
    expect(await shownText(page.locator('[data-testid="node-inputs"]'))).toContain(String(UI_SUITE.wideItems - 1));
    process.stdout.write(
      `[ui] items listed in ${Math.round(listMs)} ms, scrolled to the last in ${Math.round(scrollMs)} ms, an item opened in ${Math.round(itemMs)} ms\n`,
    );
    expect(listMs + scrollMs + itemMs).toBeLessThan(3_000);
    await screenshot(page, "execution-10k-items");
    expect(errors).toEqual([]);
  }, 240_000);

  test("the workflows page: each workflow with its versions, schedule (next tick, catch-up, max active runs) and last runs' states", async () => {
    const { page, errors } = await openTab(browser);
    await page.goto(`${stack.url}/workflows`);
    const row = page.locator('[data-testid="workflow-row-ml_pipeline"]');
    await row.waitFor();
    const text = await shownText(row);
    expect(text).toContain("cron 0 2 * * * UTC");
    expect(text).toMatch(/in \d+(h|m)/);
    expect(text).toMatch(/1 version/);
    expect(await shownText(row.locator("td").nth(4))).toBe("no");
    expect(await shownText(row.locator("td").nth(5))).toBe("3");
    await page.locator('[data-testid="last-runs-ml_pipeline"] [data-state="succeeded"]').first().waitFor();
    await page.locator('[data-testid="last-runs-exports"] [data-state="failed"]').first().waitFor();
    for (const name of ["wide", "hold"]) await page.locator(`[data-testid="workflow-row-${name}"]`).waitFor();
    await screenshot(page, "workflows");
    expect(errors).toEqual([]);
  });

  test("executions: filtered by workflow, state and time, with the grid of a workflow's runs", async () => {
    const { page, errors } = await openTab(browser);
    await page.goto(`${stack.url}/executions?state=failed`);
    await page.locator(`[data-testid="execution-row-${made.failed}"]`).waitFor();
    expect(await page.locator(`[data-testid="execution-row-${made.ml}"]`).count()).toBe(0);
    await screenshot(page, "executions-failed");

    await page.goto(`${stack.url}/executions?workflow=ml_pipeline`);
    await page.locator(`[data-testid="grid-cell-train-${made.ml}"].state-succeeded`).waitFor();
    await page.locator(`[data-testid="execution-row-${made.ml}"]`).waitFor();
    await screenshot(page, "executions-grid");

    const today = new Date().toISOString().slice(0, 10);
    await page.goto(`${stack.url}/executions?to=2001-01-01`);
    await page.locator("text=No executions match.").waitFor();
    await page.goto(`${stack.url}/executions?from=${today}`);
    await page.locator(`[data-testid="execution-row-${made.ml}"]`).waitFor();
    expect(errors).toEqual([]);
  });

  test("a backfill's dry run lists its ticks in the schedule's zone; clearing a node reruns it and its downstream", async () => {
    const { page, errors } = await openTab(browser);
    await page.goto(`${stack.url}/workflows/ml_pipeline`);
    await page.fill('[data-testid="backfill-from"]', "2031-01-01");
    await page.fill('[data-testid="backfill-to"]', "2031-01-03");
    await page.click('[data-testid="backfill-submit"]');
    expect(await shownText(page.locator('[data-testid="backfill-result"]'))).toMatch(/would run 3 ticks[\s\S]*2031-01-01 02:00:00Z/);

    await page.goto(`${stack.url}/executions/${encodeURIComponent(made.ml!)}`);
    await page.locator('[data-testid="execution-state"][data-state="succeeded"]').waitFor();
    const attemptsBefore = (await stack.client.getExecution({ id: made.ml! })).execution!.nodes.find((n) => n.nodeId === "validate")!.attempts.length;
    await page.click('[data-testid="clear"]');
    await page.check('[data-testid="clear-node-validate"]');
    await page.click('[data-testid="clear-confirm"]');
    await waitFor("validate to run again", async () => {
      const { execution } = await stack.client.getExecution({ id: made.ml! });
      const validate = execution?.nodes.find((n) => n.nodeId === "validate");
      return execution?.state === ExecutionState.SUCCEEDED && (validate?.attempts.length ?? 0) > attemptsBefore;
    });
    await page.locator('[data-testid="execution-state"][data-state="succeeded"]').waitFor();
    await page.locator(node("validate", "succeeded")).waitFor();
    expect(errors).toEqual([]);
  });

  test("workers and pools: connected workers, capacity, running attempts and GPU devices", async () => {
    const { page, errors } = await openTab(browser);
    await page.goto(`${stack.url}/workers`);
    const gpu = page.locator('[data-testid="pool-row-gpu"]');
    await gpu.waitFor();
    expect(await shownText(gpu)).toMatch(/gpu\s+1\s+0 \/ 4\s+1/);
    expect(await shownText(page.locator('[data-testid="worker-row-ml-worker"]'))).toContain("#0 declared GPU");
    expect(await shownText(page.locator('[data-testid="worker-row-ui-worker"]'))).toContain("0 / 64");
    await screenshot(page, "workers");
    expect(errors).toEqual([]);
  });

  test("with a token, the page refuses to call without it, asks for it once and keeps it for the tab", async () => {
    const home = tempDir("weir-ui-token-");
    const secured = await startServer({ cwd: home, project: home, env: { WEIR_TOKEN: UI_SUITE.token } });
    try {
      const bare = await fetch(`${secured.url}/weir.v1.AdminService/ListWorkflows`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      expect(bare.status).toBe(401);
      expect(((await bare.json()) as { code: string }).code).toBe("unauthenticated");

      const { page, errors } = await openTab(browser);
      await page.goto(`${secured.url}/workflows`);
      await page.locator('[data-testid="token-prompt"]').waitFor();
      await screenshot(page, "token-prompt");
      await page.fill('[data-testid="token-input"]', "not-the-token");
      await page.click('[data-testid="token-submit"]');
      await page.locator("text=The token this tab sent was refused.").waitFor();
      await page.fill('[data-testid="token-input"]', UI_SUITE.token);
      await page.click('[data-testid="token-submit"]');
      await page.locator('[data-testid="workflows-page"]').waitFor();
      await page.locator("text=Nothing registered yet").waitFor();
      expect(await page.evaluate(() => sessionStorage.getItem("weir.token"))).toBe(UI_SUITE.token);
      // Another page of the same tab sends it too.
      await page.goto(`${secured.url}/workers`);
      await page.locator('[data-testid="workers-page"]').waitFor();
      expect(await page.locator('[data-testid="token-prompt"]').count()).toBe(0);
      // A new tab has no token until it is given one.
      const other = await openTab(browser);
      await other.page.goto(`${secured.url}/workflows`);
      await other.page.locator('[data-testid="token-prompt"]').waitFor();
      expect([...errors, ...other.errors]).toEqual([]);
    } finally {
      secured.proc.kill("SIGTERM");
      await secured.proc.exited();
    }
  });
});
