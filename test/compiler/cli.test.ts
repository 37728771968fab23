import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT, fixture } from "./fixture-paths.ts";

const runner = path.join(REPO_ROOT, "test/compiler/compile-cli.ts");
const weirCompile = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", runner, "compile", ...args], { cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000 });
const out = mkdtempSync(path.join(tmpdir(), "weir-cli-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("weir compile", () => {
  it("exits 0 on a clean project and writes deterministic .pb and .json specs", () => {
    const first = weirCompile(fixture("pipeline"), "--out", path.join(out, "a"));
    expect(first.status, first.stderr).toBe(0);
    const second = weirCompile(fixture("pipeline"), "--out", path.join(out, "b"));
    expect(second.status).toBe(0);
    for (const ext of ["pb", "json"]) {
      const a = readFileSync(path.join(out, "a", `daily.${ext}`));
      expect(a.equals(readFileSync(path.join(out, "b", `daily.${ext}`)))).toBe(true);
    }
    expect(readFileSync(path.join(out, "a", "daily.json"), "utf8")).not.toContain(REPO_ROOT);
  });

  it("exits 1 with located errors in --format json and writes nothing", () => {
    const run = weirCompile(fixture("mismatch"), "--format", "json", "--out", path.join(out, "c"));
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("WEIR1001");
    expect(run.stdout).toContain("workflows.ts");
    expect(existsSync(path.join(out, "c", "edges.pb"))).toBe(false);
  });

  it("exits 2 on usage and configuration errors", () => {
    expect(weirCompile(fixture("pipeline"), "--format", "xml").status).toBe(2);
    expect(weirCompile(fixture("pipeline"), "--no-such-flag").status).toBe(2);
    expect(weirCompile(path.join(out, "nowhere")).status).toBe(2);
  });
});
