// GPU pools on a real GPU: a `weir worker --gpus auto` finds the devices with nvidia-smi, and GPU
// attempts run on the device they were given (PyTorch computes on it), one attempt per device.
// Runs only where nvidia-smi lists a GPU: CI's machine has none, so there the suite is skipped
// (the scheduler's GPU accounting is covered without one in test/runtime/server/limits.test.ts).
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ExecutionState, type Execution, type Literal } from "../../proto/index.ts";
import { discoverGpus } from "../../runtime/worker/index.ts";
import { cleanup, compileProject, prepareProject, runCli, startRuntime, startWorker, tempDir, waitForExecution, type Proc, type Runtime } from "./harness.ts";

const found = await discoverGpus("auto");

function scalarOf(lit: Literal | undefined): unknown {
  const v = lit?.value;
  if (v?.case !== "scalar") throw new Error(`not a scalar: ${v?.case}`);
  const s = v.value.value.value;
  return typeof s === "bigint" ? Number(s) : s;
}

describe.skipIf(found.devices.length === 0)(`GPU pools on a real GPU (${found.note})`, () => {
  let project: string;
  let runtime: Runtime;
  let worker: Proc;

  beforeAll(async () => {
    project = prepareProject("gpu");
    const specs = await compileProject(project);
    runtime = await startRuntime({ cwd: project, db: join(tempDir("weir-e2e-db-"), "weir.db") });
    worker = await startWorker(runtime, { cwd: project, id: "gpu-worker", runsDir: tempDir("weir-e2e-runs-"), pools: ["gpu"], gpus: "auto", concurrency: 8 });
    const result = await runCli(["register", join(specs, "gpu_check.pb"), "--server", runtime.address], project);
    expect(result.code, result.stderr).toBe(0);
  }, 180_000);

  afterAll(cleanup);

  test("the worker registers the devices nvidia-smi lists, by index and name", async () => {
    const result = await runCli(["workers", "--json", "--server", runtime.address], project);
    expect(result.code, result.stderr).toBe(0);
    const listed = JSON.parse(result.stdout) as { workers: Array<{ id: string; gpus: Array<{ index?: number; name: string; uuid: string }> }> };
    const gpus = listed.workers.find((w) => w.id === "gpu-worker")!.gpus;
    expect(gpus.map((g) => `${g.index ?? 0} ${g.name} ${g.uuid}`)).toEqual(found.devices.map((d) => `${d.index} ${d.name} ${d.uuid}`));
  }, 60_000);

  test("GPU attempts compute on the device they were given, and never share one", async () => {
    const run = await runCli(["run", "gpu_check", "--input", "size=4096", "--input", "holdSeconds=1.5", "--server", runtime.address], project);
    expect(run.code, run.stderr).toBe(0);
    const execution: Execution = await waitForExecution(runtime.client, run.stdout.trim(), 180_000);
    expect(execution.state, JSON.stringify(execution.error)).toBe(ExecutionState.SUCCEEDED);
    const out = Object.fromEntries(Object.entries(execution.outputs?.literals ?? {}).map(([k, lit]) => [k, scalarOf(lit)])) as Record<string, never>;
    console.info(`gpu_check on ${found.note}: ${JSON.stringify(out)}`);

    const nameOf = (visible: string) => found.devices.find((d) => String(d.index) === visible)?.name;
    // Each attempt saw exactly one device, one of the worker's, and the process computed on that one.
    for (const p of ["a", "b"] as const) {
      expect(nameOf(out[`${p}Visible`]), `attempt ${p} was given ${out[`${p}Visible`]}`).toBeDefined();
      expect(out[`${p}Device`]).toBe(nameOf(out[`${p}Visible`]));
    }
    expect(out.aDevices).toBe(1);
    // With PyTorch there (every CUDA image has it), a bf16 product at GPU speed, far beyond a CPU's.
    if (String(out.aVia).startsWith("torch")) expect(out.aTflops).toBeGreaterThan(5);
    // Two attempts that ran at the same time held different devices; with one GPU they took turns.
    const overlapped = out.aStarted < out.bEnded && out.bStarted < out.aEnded;
    if (overlapped) expect(out.aVisible).not.toBe(out.bVisible);
    if (found.devices.length === 1) expect(overlapped).toBe(false);
    // A TypeScript task given a GPU runs in a process of its own that sees its device in PCI order.
    expect(nameOf(out.tsVisible)).toBeDefined();
    expect(out.tsOrder).toBe("PCI_BUS_ID");
    expect(out.tsPid).not.toBe(worker.pid);
  }, 240_000);
});
