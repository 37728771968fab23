// The UI's build (ui/index.ts buildUi): esbuild's output folder with index.html and its hashed
// assets, cached by the content of what it was built from, rebuilt when that changes, and safe to
// build from several processes at once.
import { spawn } from "node:child_process";
import { appendFileSync, cpSync, existsSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { buildUi } from "../../ui/index.ts";
import { REPO, tempDir } from "../e2e/harness.ts";

/** The asset paths index.html names (`/assets/…`). */
function assetsOf(dir: string): string[] {
  const html = readFileSync(join(dir, "index.html"), "utf8");
  return [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
}

function expectComplete(dir: string): void {
  const assets = assetsOf(dir);
  expect(assets.some((a) => a.endsWith(".js"))).toBe(true);
  expect(assets.some((a) => a.endsWith(".css"))).toBe(true);
  for (const a of assets) expect(existsSync(join(dir, a)), a).toBe(true);
  // Every chunk an entry imports is there too (the layout engine loads on first use).
  for (const f of readdirSync(join(dir, "assets")).filter((x) => x.endsWith(".js"))) {
    const text = readFileSync(join(dir, "assets", f), "utf8");
    for (const m of text.matchAll(/"\.\/(chunk-[A-Z0-9]+\.js)"/g)) expect(existsSync(join(dir, "assets", m[1]!)), `${f} imports ${m[1]}`).toBe(true);
  }
}

/** `buildUi` in a process of its own, for builds that race. */
function buildInChild(cacheDir: string): Promise<string> {
  const code = `const { buildUi } = await import(${JSON.stringify(join(REPO, "ui", "index.ts"))}); process.stdout.write(await buildUi({ cacheDir: ${JSON.stringify(cacheDir)} }));`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise((ok, fail) => child.once("exit", (c) => (c === 0 ? ok(out) : fail(new Error(`buildUi exited ${c}: ${err}`)))));
}

describe("buildUi", () => {
  test("builds index.html and its hashed assets once, then answers from the cache", async () => {
    const cacheDir = tempDir("weir-ui-cache-");
    let t = performance.now();
    const dir = await buildUi({ cacheDir });
    const coldMs = performance.now() - t;
    expectComplete(dir);
    t = performance.now();
    expect(await buildUi({ cacheDir })).toBe(dir);
    const cachedMs = performance.now() - t;
    const bytes = readdirSync(join(dir, "assets")).map((f) => [f, readFileSync(join(dir, "assets", f)).length] as const);
    process.stdout.write(
      `[ui] build: cold ${Math.round(coldMs)} ms, cached ${cachedMs.toFixed(1)} ms; ${bytes.map(([f, n]) => `${f} ${Math.round(n / 1024)} KiB`).join(", ")}\n`,
    );
    expect(cachedMs).toBeLessThan(200);
  }, 120_000);

  test("processes building at once end with one complete folder", async () => {
    const cacheDir = tempDir("weir-ui-race-");
    const dirs = await Promise.all([buildInChild(cacheDir), buildInChild(cacheDir), buildInChild(cacheDir)]);
    expect(new Set(dirs).size).toBe(1);
    expectComplete(dirs[0]!);
    // No temporary folder is left behind.
    expect(readdirSync(cacheDir).filter((f) => f.startsWith(".build-"))).toEqual([]);
  }, 180_000);

  test("a changed source gives a new build; the one before stays for a page that still names it", async () => {
    // A copy of the package's sources the build reads, its dependencies this checkout's.
    const root = tempDir("weir-ui-root-");
    for (const part of ["ui", "proto", "core", "sdk"]) cpSync(join(REPO, part), join(root, part), { recursive: true });
    cpSync(join(REPO, "package.json"), join(root, "package.json"));
    cpSync(join(REPO, "package-lock.json"), join(root, "package-lock.json"));
    symlinkSync(join(REPO, "node_modules"), join(root, "node_modules"));
    const cacheDir = tempDir("weir-ui-change-");
    const before = await buildUi({ root, cacheDir });
    expect(await buildUi({ root, cacheDir })).toBe(before);
    appendFileSync(join(root, "ui", "app", "styles.css"), "\n.changed-by-a-test { color: red; }\n");
    const after = await buildUi({ root, cacheDir });
    expect(after).not.toBe(before);
    expectComplete(after);
    expect(readFileSync(join(after, assetsOf(after).find((a) => a.endsWith(".css"))!), "utf8")).toContain("changed-by-a-test");
    expect(existsSync(join(before, "index.html"))).toBe(true);
  }, 180_000);
});
