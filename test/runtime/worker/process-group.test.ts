// spawnInGroup with real processes: the program keeps its own exit code and signal, a kill reaches
// everything it started, what it leaves behind dies when it exits, and everything dies with the
// process that spawned it, even one killed with SIGKILL.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { spawnInGroup } from "../../../runtime/worker/process-group.ts";
import { processAlive } from "./process-alive.ts";
import { REPO } from "./worker-fixture.ts";

async function until<T>(probe: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  for (const end = Date.now() + timeoutMs; ; await new Promise((r) => setTimeout(r, 20))) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}

const readPids = (file: string) => () => {
  try {
    const pids = readFileSync(file, "utf8").trim().split(/\s+/).map(Number);
    return pids.length === 2 && pids.every((p) => p > 0) ? pids : undefined;
  } catch {
    return undefined;
  }
};

// A program that starts a grandchild, writes both pids, and sleeps.
const family = (pidFile: string) => ["-c", `sleep 60 & echo "$$ $!" > ${pidFile}.tmp && mv ${pidFile}.tmp ${pidFile}; sleep 60`];

describe("spawnInGroup", () => {
  it("reports the program's own exit code and signal", async () => {
    const exited = spawnInGroup("sh", ["-c", "exit 7"], { env: process.env }).child;
    expect(await new Promise((ok) => exited.on("exit", (code) => ok(code)))).toBe(7);
    const killed = spawnInGroup("sleep", ["30"], { env: process.env });
    await new Promise((ok) => killed.child.once("spawn", ok));
    killed.kill("SIGTERM");
    expect(await new Promise((ok) => killed.child.on("exit", (_, signal) => ok(signal)))).toBe("SIGTERM");
  });

  it("a group kill reaches the program's children", async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), "weir-pg-")), "pids");
    const group = spawnInGroup("sh", family(pidFile), { env: process.env });
    const pids = await until(readPids(pidFile), "the pids");
    group.kill("SIGKILL");
    await until(() => pids.every((p) => !processAlive(p)), "the program and its child to die");
  });

  it("kills what the program left running once it exits", async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), "weir-pg-")), "pids");
    const group = spawnInGroup("sh", ["-c", `sleep 60 & echo "$$ $!" > ${pidFile}.tmp && mv ${pidFile}.tmp ${pidFile}`], { env: process.env });
    // "close" waits for the child's output pipes, which the left-behind sleep holds until it dies.
    const closed = new Promise((ok) => group.child.on("close", ok));
    const [, orphan] = await until(readPids(pidFile), "the pids");
    await closed;
    await until(() => !processAlive(orphan!), "the left-behind child to die");
  });

  it("dies with the process that spawned it, even one killed with SIGKILL", async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), "weir-pg-")), "pids");
    const script = `import { spawnInGroup } from ${JSON.stringify(join(REPO, "runtime/worker/process-group.ts"))};
      spawnInGroup("sh", ${JSON.stringify(family(pidFile))}, { env: process.env });
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: REPO, stdio: "ignore" });
    try {
      const pids = await until(readPids(pidFile), "the pids", 30_000);
      expect(pids.every(processAlive)).toBe(true);
      parent.kill("SIGKILL");
      const killedAt = Date.now();
      await until(() => pids.every((p) => !processAlive(p)), "the group to die with its parent");
      expect(Date.now() - killedAt).toBeLessThan(2_000);
    } finally {
      parent.kill("SIGKILL");
    }
  });
});
