// The task host's runner on its own (no thread, no worker): its protocol, batching of outcomes and
// the attempt context, against the worker fixture's real task module.
import { cpSync, mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { beforeAll, describe, expect, it } from "vitest";
import { LiteralSetSchema, LiteralTypeSchema, SimpleType, TaskTemplateSchema, TypedInterfaceSchema } from "../../../proto/index.ts";
import { createTaskRunner, type HostMessage, type HostRequest } from "../../../runtime/worker/ts-task-runner.ts";

const REPO = resolve(import.meta.dirname, "../../..");
let PROJECT: string;

// A copy of the fixture project whose `weir` and `apache-arrow` imports resolve to this checkout.
beforeAll(() => {
  PROJECT = mkdtempSync(join(tmpdir(), "weir-runner-"));
  cpSync(join(REPO, "test/fixtures/worker"), PROJECT, { recursive: true });
  mkdirSync(join(PROJECT, "node_modules"));
  symlinkSync(REPO, join(PROJECT, "node_modules", "weir"));
  symlinkSync(join(REPO, "node_modules", "apache-arrow"), join(PROJECT, "node_modules", "apache-arrow"));
});
const STRING = create(LiteralTypeSchema, { type: { case: "simple", value: SimpleType.STRING } });

function template(exportName: string, outputs: Record<string, typeof STRING> = {}): Uint8Array {
  const iface = create(TypedInterfaceSchema, { outputs: Object.entries(outputs).map(([name, type]) => ({ name, type })) });
  return toBinary(
    TaskTemplateSchema,
    create(TaskTemplateSchema, { name: exportName, version: "v1", interface: iface, runtime: { case: "node", value: { module: "src/tasks.ts", exportName } } }),
  );
}

function host() {
  const posted: HostMessage[] = [];
  const handle = createTaskRunner((msg) => posted.push(msg));
  const send = (req: HostRequest) => handle(req);
  send({ type: "config", projectRoot: PROJECT, artifactRoot: join(PROJECT, ".weir", "artifacts") });
  const run = (id: string, tid: number) => ({ id, tid, inputs: new Uint8Array(0), executionId: "ex", nodeId: `node-${id}`, attempt: 2 });
  const until = async (ok: () => boolean) => {
    for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(ok()).toBe(true);
  };
  const outcomes = () => posted.flatMap((m) => (m.type === "done" ? m.results : []));
  return { posted, send, run, until, outcomes };
}

describe("task runner", () => {
  it("reports the attempts of one batch that finish together in one message", async () => {
    const h = host();
    h.send({ type: "task", tid: 1, task: template("noop") });
    h.send({ type: "runs", runs: [h.run("1", 1)] });
    await h.until(() => h.outcomes().length === 1);
    // Loaded now: a batch of synchronous attempts finishes while it starts, and goes as one message.
    const before = h.posted.length;
    h.send({ type: "runs", runs: [h.run("2", 1), h.run("3", 1), h.run("4", 1)] });
    expect(h.posted.slice(before)).toEqual([{ type: "done", results: ["2", "3", "4"].map((id) => ({ id, outputs: new Uint8Array(0) })) }]);
  });

  it("aborts ctx.signal on an abort request, also when the task reads it after the request", async () => {
    const h = host();
    h.send({ type: "task", tid: 1, task: template("patient", { seen: STRING }) });
    // Aborted while its module loads, so before the task could read its signal.
    h.send({ type: "runs", runs: [h.run("a", 1)] });
    h.send({ type: "abort", id: "a" });
    await h.until(() => h.outcomes().length === 1);
    // Aborted while the task waits on its signal.
    h.send({ type: "runs", runs: [h.run("b", 1)] });
    await new Promise((r) => setTimeout(r, 20));
    h.send({ type: "abort", id: "b" });
    await h.until(() => h.outcomes().length === 2);
    for (const r of h.outcomes()) {
      const seen = fromBinary(LiteralSetSchema, r.outputs!).literals.seen;
      expect(seen?.value.case === "scalar" && seen.value.value.value.value).toBe(`ex/node-${r.id}/2 aborted=true`);
    }
  });

  it("fails an attempt whose task throws, with its message", async () => {
    const h = host();
    h.send({ type: "task", tid: 1, task: template("boom") });
    h.send({ type: "runs", runs: [h.run("x", 1)] });
    await h.until(() => h.outcomes().length === 1);
    expect(h.outcomes()[0]!.error).toMatchObject({ code: "TASK_FAILED", message: expect.stringContaining("kaboom") });
  });
});
