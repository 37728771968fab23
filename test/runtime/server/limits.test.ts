// Concurrency limits: an execution's max parallelism and a worker's capacity bound what runs at once.
import { afterEach, describe, expect, it } from "vitest";
import { ExecutionState } from "../../../proto/index.ts";
import type { RunningServer } from "../../../runtime/index.ts";
import { gpuTypeMatches } from "../../../core/index.ts";
import { adminClient, finished, incTask, increment, int, refNode, server, tempDir, TestWorker, workflowSpec } from "../harness.ts";

let srv: RunningServer | undefined;
const workers: TestWorker[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) w.close();
  await srv?.stop();
  srv = undefined;
});

/** A worker whose attempts take `ms`, recording the most that ran at once. */
function slowWorker(address: string, capacity: number, ms: number, opts: { id?: string; pools?: string[]; gpus?: number | string[] } = {}) {
  const seen = { now: 0, max: 0 };
  const w = new TestWorker(
    address,
    async (a, self) => {
      seen.max = Math.max(seen.max, ++seen.now);
      await new Promise((r) => setTimeout(r, ms));
      seen.now--;
      return increment(a, self);
    },
    { capacity, ...opts },
  );
  workers.push(w);
  return { w, seen };
}

const fanOut = (n: number, maxParallelism: number) =>
  workflowSpec(
    "fan",
    Array.from({ length: n }, (_, i) => refNode(`t${i}`, "inc", { input: "x" })),
    [incTask()],
    { maxParallelism },
  );

describe("concurrency limits", () => {
  it("never runs more of one execution at once than its max parallelism, though the worker has room", async () => {
    srv = await server(tempDir());
    const admin = adminClient(srv.address);
    const { w, seen } = slowWorker(srv.address, 8, 60);
    await w.connect();
    await admin.registerWorkflow({ spec: fanOut(6, 2) });
    const { execution } = await admin.createExecution({ workflow: "fan", inputs: { literals: { x: int(1) } } });
    const done = await finished(admin, execution.id, 15_000);
    expect(done.state).toBe(ExecutionState.SUCCEEDED);
    expect(seen.max).toBe(2);
  });

  it("a request's max parallelism overrides the workflow's, and worker capacity still bounds it", async () => {
    srv = await server(tempDir());
    const admin = adminClient(srv.address);
    const { w, seen } = slowWorker(srv.address, 3, 60);
    await w.connect();
    await admin.registerWorkflow({ spec: fanOut(8, 2) });
    const { execution } = await admin.createExecution({ workflow: "fan", inputs: { literals: { x: int(1) } }, maxParallelism: 5 });
    await finished(admin, execution.id, 15_000);
    expect(seen.max).toBe(3);
  });
});

describe("GPU pools", () => {
  it("sends a gpu task only to a worker with a free GPU, one device per attempt, never shared", async () => {
    srv = await server(tempDir());
    const admin = adminClient(srv.address);
    // Both serve pool "gpu"; only one has devices.
    const noGpu = slowWorker(srv.address, 8, 40, { pools: ["gpu"], gpus: 0, id: "no-gpu" });
    const twoGpus = slowWorker(srv.address, 8, 60, { pools: ["gpu"], gpus: 2, id: "two-gpus" });
    await noGpu.w.connect();
    await twoGpus.w.connect();
    const train = incTask("train", { resources: { pool: "gpu", gpu: 1 } });
    const spec = workflowSpec(
      "gpus",
      Array.from({ length: 5 }, (_, i) => refNode(`t${i}`, "train", { input: "x" })),
      [train],
    );
    await admin.registerWorkflow({ spec });
    const { execution } = await admin.createExecution({ workflow: "gpus", inputs: { literals: { x: int(1) } } });
    const done = await finished(admin, execution.id, 15_000);
    expect(done.state).toBe(ExecutionState.SUCCEEDED);
    expect(noGpu.w.assigns).toHaveLength(0);
    expect(twoGpus.w.assigns).toHaveLength(5);
    expect(twoGpus.seen.max).toBe(2);
    for (const a of twoGpus.w.assigns) expect(a.gpus).toHaveLength(1);
    expect(new Set(twoGpus.w.assigns.map((a) => a.gpus[0]))).toEqual(new Set([0, 1]));
  });

  it("sends a task with a gpuType only to devices of that type, and takes the matching device", async () => {
    srv = await server(tempDir());
    const admin = adminClient(srv.address);
    const a100 = slowWorker(srv.address, 8, 30, { pools: ["gpu"], gpus: ["NVIDIA A100-SXM4-40GB"], id: "a100" });
    const mixed = slowWorker(srv.address, 8, 30, { pools: ["gpu"], gpus: ["NVIDIA A10G", "NVIDIA H100 80GB HBM3"], id: "mixed" });
    await a100.w.connect();
    await mixed.w.connect();
    const tasks = [
      incTask("on_h100", { resources: { pool: "gpu", gpu: 1, gpuType: "h100" } }),
      incTask("on_a100", { resources: { pool: "gpu", gpuType: "nvidia-tesla-a100" } }),
      incTask("on_a10", { resources: { pool: "gpu", gpu: 1, gpuType: "A10G" } }),
    ];
    const nodes = [0, 1, 2].flatMap((i) => [
      refNode(`h${i}`, "on_h100", { input: "x" }),
      refNode(`a${i}`, "on_a100", { input: "x" }),
      refNode(`g${i}`, "on_a10", { input: "x" }),
    ]);
    await admin.registerWorkflow({ spec: workflowSpec("typed_gpus", nodes, tasks) });
    const { execution } = await admin.createExecution({ workflow: "typed_gpus", inputs: { literals: { x: int(1) } } });
    expect((await finished(admin, execution.id, 15_000)).state).toBe(ExecutionState.SUCCEEDED);
    const byNode = (w: TestWorker) => w.assigns.map((a) => `${a.nodeId[0]}:${a.gpus.join(",")}`).sort();
    expect(byNode(a100.w)).toEqual(["a:0", "a:0", "a:0"]);
    expect(byNode(mixed.w)).toEqual(["g:0", "g:0", "g:0", "h:1", "h:1", "h:1"]);
  });
});

describe("gpuTypeMatches", () => {
  it("matches nvidia-smi names by model, ignoring case, dashes and the vendor, and never a longer model number", () => {
    expect(gpuTypeMatches("NVIDIA H100 80GB HBM3", "h100")).toBe(true);
    expect(gpuTypeMatches("NVIDIA H100 80GB HBM3", "H100-80GB")).toBe(true);
    expect(gpuTypeMatches("NVIDIA A100-SXM4-40GB", "nvidia-tesla-a100")).toBe(true);
    expect(gpuTypeMatches("Tesla T4", "t4")).toBe(true);
    expect(gpuTypeMatches("NVIDIA A100-SXM4-40GB", "a10")).toBe(false);
    expect(gpuTypeMatches("NVIDIA H200", "h100")).toBe(false);
    expect(gpuTypeMatches("declared", "a100")).toBe(false);
  });
});
