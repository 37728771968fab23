// One runtime per SQLite store: the lock is an OS file lock held for the holder's life, so a second
// runtime (in this process or another) is refused with its holder named, and a holder that dies,
// however it dies, leaves nothing stale behind.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RuntimeError } from "../../../runtime/error-codes.ts";
import { RuntimeLock, lockStore } from "../../../runtime/store/index.ts";
import { server, tempDir } from "../harness.ts";

/** A child process that takes the lock, says so, and holds it until killed. */
function holder(db: string) {
  const code = `
    import("${join(process.cwd(), "runtime/store/runtime-lock.ts")}").then(({ RuntimeLock }) => {
      const lock = RuntimeLock.acquire(${JSON.stringify(db)});
      lock.announce("127.0.0.1:4242");
      process.stdout.write("held\\n");
      setInterval(() => {}, 1000);
    });`;
  const child = spawn(process.execPath, ["--import", "tsx", "-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  const held = new Promise<void>((ok, fail) => {
    child.stdout!.on("data", (d: Buffer) => d.toString().includes("held") && ok());
    child.once("exit", (c) => fail(new Error(`the holder exited (${c}) before taking the lock`)));
  });
  const exited = new Promise<void>((ok) => child.once("exit", () => ok()));
  return { child, held, exited };
}

describe("the store's runtime lock", () => {
  it("refuses a second holder in the same process, naming the first, until it is released", () => {
    const db = join(tempDir(), "weir.db");
    const first = RuntimeLock.acquire(db);
    first.announce("127.0.0.1:7070");
    let refusal: unknown;
    try {
      RuntimeLock.acquire(db);
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(RuntimeError);
    expect((refusal as RuntimeError).code).toBe("FAILED_PRECONDITION");
    expect((refusal as Error).message).toMatch(
      new RegExp(
        `another weir runtime \\(pid ${process.pid} on .+, listening on 127\\.0\\.0\\.1:7070, since .+\\) holds the store ${db.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}; one runtime per SQLite store`,
      ),
    );
    first.release();
    RuntimeLock.acquire(db).release();
    expect(lockStore("sqlite::memory:")).toBeUndefined();
  });

  it("refuses while another process holds it, and takes it once that process is SIGKILLed", async () => {
    const db = join(tempDir(), "weir.db");
    const other = holder(db);
    try {
      await other.held;
      expect(() => RuntimeLock.acquire(db)).toThrow(new RegExp(`pid ${other.child.pid} on .+, listening on 127\\.0\\.0\\.1:4242`));
    } finally {
      other.child.kill("SIGKILL");
      await other.exited;
    }
    // No stale lock: the kernel released it with the process.
    RuntimeLock.acquire(db).release();
  });

  it("keeps a second server off the store of a running one; it starts once the first stops", async () => {
    const dir = tempDir();
    const first = await server(dir);
    await expect(server(dir)).rejects.toThrow(new RegExp(`pid ${process.pid} on .+, listening on ${first.address.replace(/\./g, "\\.")}`));
    // The refused start left the running one alone.
    expect(await first.store.listWorkflows()).toEqual([]);
    await first.stop();
    const second = await server(dir);
    await second.stop();
  });
});
