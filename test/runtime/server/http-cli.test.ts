// `weir server`'s HTTP port as a real process runs it (from its esbuild bundle): `--port 0` gives
// an HTTP port of its own, printed as the UI's address, serving /healthz, /metrics, AdminService
// over Connect and the UI that ui/ builds; `--http <port>` chooses it; `--no-http` opens none.
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, describe, expect, it } from "vitest";
import { AdminService } from "../../../proto/index.ts";
import { cleanup, freePort, spawnWeir, storeUrl, tempDir, waitFor, type Proc } from "../../e2e/harness.ts";
import { parsePrometheusText } from "../metrics/prometheus-text.ts";

afterAll(cleanup);

const UI_LINE = /weir UI: (http:\/\/127\.0\.0\.1:(\d+)\/) \(also \/metrics/;

async function serve(args: string[]): Promise<Proc> {
  const dir = tempDir("weir-http-cli-");
  const proc = spawnWeir(["server", "--store", await storeUrl(join(dir, "weir.db")), "--artifacts", join(dir, "artifacts"), ...args], { cwd: dir });
  await waitFor(
    `weir server to listen (output so far: ${proc.output().slice(-500)})`,
    () => {
      if (proc.child.exitCode !== null) throw new Error(`weir server exited early: ${proc.output()}`);
      return /weir runtime listening on/.test(proc.output());
    },
    45_000,
  );
  return proc;
}

async function stop(proc: Proc): Promise<void> {
  proc.kill("SIGTERM");
  expect((await proc.exited()).code, proc.output()).toBe(0);
}

describe("weir server's HTTP port", () => {
  it("with --port 0, opens one of its own and serves health, metrics, Connect and the built UI", async () => {
    const proc = await serve(["--port", "0"]);
    const url = await waitFor("the UI's address", () => UI_LINE.exec(proc.output())?.[1], 5_000);
    expect((await fetch(`${url}healthz`)).status).toBe(200);
    const metrics = await fetch(`${url}metrics`);
    expect(parsePrometheusText(await metrics.text()).has("weir_store_commit_seconds")).toBe(true);
    const admin = createClient(AdminService, createConnectTransport({ baseUrl: url, httpVersion: "1.1" }));
    expect((await admin.listWorkflows({})).workflows).toEqual([]);
    // The page: ui/'s build, made on this first visit (and cached), never before gRPC listened.
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await page.text();
    expect(html).toMatch(/^<!doctype html>/i);
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script, html).toBeDefined();
    const asset = await fetch(new URL(script!, url));
    expect([asset.status, asset.headers.get("content-type"), asset.headers.get("cache-control")]).toEqual([
      200,
      "text/javascript; charset=utf-8",
      "public, max-age=31536000, immutable",
    ]);
    await stop(proc);
  }, 120_000);

  it("takes --http <port>, and --no-http opens none", async () => {
    const port = await freePort();
    const chosen = await serve(["--port", "0", "--http", String(port)]);
    expect(chosen.output()).toContain(`weir UI: http://127.0.0.1:${port}/`);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    await stop(chosen);

    const none = await serve(["--port", "0", "--no-http"]);
    expect(none.output()).not.toMatch(/weir UI:/);
    await stop(none);

    const bad = spawnWeir(["server", "--http", "70000"], { cwd: tempDir("weir-http-cli-") });
    expect((await bad.exited()).code).toBe(2);
    expect(bad.output()).toMatch(/--http 70000 is not a port number/);
  }, 120_000);
});
