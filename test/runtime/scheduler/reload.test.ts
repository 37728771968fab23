// A reloaded execution is indistinguishable from one that never stopped: queued map items keep
// their inputs across a restart, a map over an empty list yields an empty list, and a worker that
// re-registers keeps every attempt it holds, including one assigned after it re-registered.
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { CompiledWorkflowSchema, ExecutionState, LiteralSchema, LiteralSetSchema, NodeState, type Assign } from "../../../proto/index.ts";
import { adminClient, finished, incTask, INT, int, intOf, refNode, runtimePerTest, server, tempDir, TestWorker, waitFor, workflowSpec } from "../harness.ts";

const rt = runtimePerTest();

const LIST = { type: { case: "collection" as const, value: { item: INT } } };
const wfInput = (name: string) => ({ value: { case: "workflowInput" as const, value: name } });
const ref = (nodeId: string, output: string) => ({ value: { case: "ref" as const, value: { nodeId, output } } });
const list = (xs: number[]) => create(LiteralSchema, { value: { case: "collection", value: { items: xs.map(int) } } });

/** xs → map inc (each item also gets `k`, a second bound input) → ys; then sum(ys) as `total`. */
function mapSpec(name: string) {
  const sumTask = { ...incTask("sum"), interface: { inputs: [{ name: "x", type: LIST }], outputs: [{ name: "y", type: INT }] } };
  const inc = {
    ...incTask(),
    interface: {
      inputs: [
        { name: "x", type: INT },
        { name: "k", type: INT },
      ],
      outputs: [{ name: "y", type: INT }],
    },
  };
  return create(CompiledWorkflowSchema, {
    workflow: {
      name,
      interface: {
        inputs: [{ name: "xs", type: LIST }],
        outputs: [
          { name: "ys", type: LIST },
          { name: "total", type: INT },
        ],
      },
      nodes: [
        {
          id: "m",
          target: { case: "map", value: { task: "inc", mappedInput: "x" } },
          inputs: [
            { var: "x", value: wfInput("xs") },
            { var: "k", value: { value: { case: "literal", value: int(1000) } } },
          ],
        },
        { id: "total", target: { case: "task", value: "sum" }, inputs: [{ var: "x", value: ref("m", "y") }], upstream: ["m"] },
      ],
      outputs: [
        { var: "ys", value: ref("m", "y") },
        { var: "total", value: ref("total", "y") },
      ],
    },
    tasks: [inc as never, sumTask as never],
  });
}

/** inc: x + k; sum: the list's sum. Fails (as a test worker would not) when an input is missing. */
async function compute(a: Assign) {
  const lits = a.inputs?.literals ?? {};
  if (a.nodeId === "total") {
    const v = lits.x?.value;
    const items = v?.case === "collection" ? v.value.items : undefined;
    if (!items) return { code: "INPUT_INVALID", message: "x missing" };
    return create(LiteralSetSchema, { literals: { y: int(items.reduce((s, i) => s + intOf(i), 0)) } });
  }
  if (!lits.x || !lits.k) return { code: "INPUT_INVALID", message: `inputs missing: ${Object.keys(lits).join(",")}` };
  return create(LiteralSetSchema, { literals: { y: int(intOf(lits.x) + intOf(lits.k)) } });
}

describe("reload and reconnect", () => {
  it("queued map items keep their bound inputs across a restart", async () => {
    const dir = tempDir();
    rt.srv = await server(dir);
    let admin = adminClient(rt.srv.address);
    // Two slots that never finish: two items run, eighteen wait QUEUED when the runtime stops.
    const stuck = new TestWorker(rt.srv.address, async () => "hang", { id: "stuck", capacity: 2 });
    await stuck.connect();
    await admin.registerWorkflow({ spec: mapSpec("wide") });
    const xs = Array.from({ length: 20 }, (_, i) => i);
    const { execution } = await admin.createExecution({ workflow: "wide", inputs: { literals: { xs: list(xs) } } });
    await waitFor(() => stuck.assigns.length === 2 || undefined, 10_000, "two items assigned");
    stuck.kill();
    await rt.srv.stop();
    admin.raw.close();

    rt.srv = await server(dir);
    admin = adminClient(rt.srv.address);
    const w = new TestWorker(rt.srv.address, compute, { id: "fresh", capacity: 4 });
    rt.workers.push(w);
    await w.connect();
    const done = await finished(admin, execution.id, 20_000);
    expect(ExecutionState[done.state], done.error?.message).toBe("SUCCEEDED");
    expect(done.outputs.literals.ys.value.value.items.map(intOf)).toEqual(xs.map((x) => x + 1000));
    expect(intOf(done.outputs.literals.total)).toBe(xs.reduce((s, x) => s + x + 1000, 0));
    // Every item w ran carried both of its inputs.
    for (const a of w.assigns.filter((x) => x.nodeId.startsWith("m["))) expect(Object.keys(a.inputs!.literals).sort()).toEqual(["k", "x"]);
    admin.raw.close();
  });

  it("a map over an empty list yields an empty list and its consumers run", async () => {
    rt.srv = await server(tempDir());
    const admin = adminClient(rt.srv.address);
    const w = new TestWorker(rt.srv.address, compute);
    rt.workers.push(w);
    await w.connect();
    await admin.registerWorkflow({ spec: mapSpec("empty") });
    const { execution } = await admin.createExecution({ workflow: "empty", inputs: { literals: { xs: list([]) } } });
    const done = await finished(admin, execution.id);
    expect(ExecutionState[done.state], done.error?.message).toBe("SUCCEEDED");
    expect(done.outputs.literals.ys.value.value.items).toEqual([]);
    expect(intOf(done.outputs.literals.total)).toBe(0);
    admin.raw.close();
  });

  it("a worker that re-registers keeps an attempt assigned before its first heartbeat", async () => {
    rt.srv = await server(tempDir());
    const admin = adminClient(rt.srv.address);
    const release: Array<() => void> = [];
    let holding = true;
    const behaviour = async (a: Assign) => {
      if (holding) await new Promise<void>((ok) => release.push(ok));
      return compute(a);
    };
    const first = new TestWorker(rt.srv.address, behaviour, { id: "w", capacity: 1 });
    await first.connect();
    await admin.registerWorkflow({ spec: mapSpec("race") });
    const { execution } = await admin.createExecution({ workflow: "race", inputs: { literals: { xs: list([1, 2]) } } });
    await waitFor(() => first.assigns.length === 1 || undefined, 10_000, "the first item");
    const held = first.assigns[0]!;
    // The same worker comes back on a new stream: it still runs the first item, and reports its
    // result before its first heartbeat; the freed slot gets the second item at once, which that
    // heartbeat cannot list yet.
    first.kill();
    const again = new TestWorker(rt.srv.address, behaviour, { id: "w", capacity: 1 });
    rt.workers.push(again);
    again.heartbeating = false;
    await again.connect();
    const y = await compute(held);
    again.send({ case: "result", value: { leaseToken: held.leaseToken, outcome: { case: "outputs", value: y } } });
    await waitFor(() => again.assigns.length === 1 || undefined, 10_000, "the second item on the new stream");
    again.send({ case: "heartbeat", value: { running: [] } });
    again.heartbeating = true;
    holding = false;
    release.at(-1)!();
    const done = await finished(admin, execution.id);
    expect(ExecutionState[done.state], done.error?.message).toBe("SUCCEEDED");
    const item = done.nodes.find((n: { nodeId: string }) => n.nodeId === "m[1]");
    expect(item.attempts.map((a: { state: number }) => NodeState[a.state])).toEqual(["SUCCEEDED"]);
    admin.raw.close();
  });

  it("an Assign that never reached a worker is sent again when the same process re-registers, same lease, no retry spent", async () => {
    const dir = tempDir();
    rt.srv = await server(dir);
    let admin = adminClient(rt.srv.address);
    // The first stream takes the Assign and drops it (as one lost when the runtime died right after its commit).
    const first = new TestWorker(rt.srv.address, async () => "hang", { id: "w", instance: "process-1", capacity: 1 });
    await first.connect();
    await admin.registerWorkflow({ spec: mapSpec("redeliver") });
    const { execution } = await admin.createExecution({ workflow: "redeliver", inputs: { literals: { xs: list([5]) } } });
    await waitFor(() => first.assigns.length === 1 || undefined, 10_000, "the item's Assign");
    const lease = first.assigns[0]!.leaseToken;
    first.kill();
    await rt.srv.stop();
    admin.raw.close();

    rt.srv = await server(dir);
    admin = adminClient(rt.srv.address);
    const again = new TestWorker(rt.srv.address, compute, { id: "w", instance: "process-1", capacity: 1 });
    rt.workers.push(again);
    await again.connect();
    const done = await finished(admin, execution.id);
    expect(ExecutionState[done.state], done.error?.message).toBe("SUCCEEDED");
    expect(again.assigns[0]!.leaseToken).toBe(lease);
    expect(Object.keys(again.assigns[0]!.inputs!.literals).sort()).toEqual(["k", "x"]);
    const item = done.nodes.find((n: { nodeId: string }) => n.nodeId === "m[0]");
    expect(item.attempts.map((a: { state: number }) => NodeState[a.state])).toEqual(["SUCCEEDED"]);
    admin.raw.close();
  });

  it("a GPU attempt's devices are recorded, in GetExecution while it runs and after, and redelivered with it after a restart", async () => {
    const dir = tempDir();
    rt.srv = await server(dir);
    let admin = adminClient(rt.srv.address);
    const gpus = ["NVIDIA A100-SXM4-80GB", "NVIDIA A100-SXM4-80GB", "NVIDIA A100-SXM4-80GB"];
    const first = new TestWorker(rt.srv.address, async () => "hang", { id: "w", instance: "process-1", capacity: 2, gpus });
    await first.connect();
    const spec = workflowSpec("gpu-devices", [refNode("train", "train", { input: "x" })], [incTask("train", { resources: { gpu: 2 } })]);
    await admin.registerWorkflow({ spec });
    const { execution } = await admin.createExecution({ workflow: "gpu-devices", inputs: { literals: { x: int(1) } } });
    await waitFor(() => first.assigns.length === 1 || undefined, 10_000, "train's Assign");
    const given = [...first.assigns[0]!.gpus];
    expect(given).toHaveLength(2);
    // GetExecution reads the committed attempt rows: their devices are the Assign's.
    const running = (await admin.getExecution({ id: execution.id })).execution;
    expect(running.nodes.find((n: { nodeId: string }) => n.nodeId === "train").attempts.map((a: { gpus: number[] }) => a.gpus)).toEqual([given]);
    first.kill();
    await rt.srv.stop();
    admin.raw.close();

    // The reloaded attempt still holds its devices: the same process gets it again with them.
    rt.srv = await server(dir);
    admin = adminClient(rt.srv.address);
    const inc = async (a: Assign) => create(LiteralSetSchema, { literals: { y: int(intOf(a.inputs!.literals.x!) + 1) } });
    const again = new TestWorker(rt.srv.address, inc, { id: "w", instance: "process-1", capacity: 2, gpus });
    rt.workers.push(again);
    await again.connect();
    const done = await finished(admin, execution.id);
    expect(ExecutionState[done.state], done.error?.message).toBe("SUCCEEDED");
    expect(again.assigns.map((a) => [a.leaseToken, [...a.gpus]])).toEqual([[first.assigns[0]!.leaseToken, given]]);
    const train = done.nodes.find((n: { nodeId: string }) => n.nodeId === "train");
    expect(train.attempts.map((a: { state: number; gpus: number[] }) => [NodeState[a.state], a.gpus])).toEqual([["SUCCEEDED", given]]);
    admin.raw.close();
  });

  it("a new process under the same worker id does not get its predecessor's attempts: they are lost and retried", async () => {
    rt.srv = await server(tempDir());
    const admin = adminClient(rt.srv.address);
    const first = new TestWorker(rt.srv.address, async () => "hang", { id: "w", instance: "process-1", capacity: 1 });
    await first.connect();
    await admin.registerWorkflow({ spec: mapSpec("restarted") });
    const { execution } = await admin.createExecution({ workflow: "restarted", inputs: { literals: { xs: list([5]) } } });
    await waitFor(() => first.assigns.length === 1 || undefined, 10_000, "the item's Assign");
    first.kill();
    const next = new TestWorker(rt.srv.address, compute, { id: "w", instance: "process-2", capacity: 1 });
    rt.workers.push(next);
    await next.connect();
    const done = await finished(admin, execution.id);
    expect(ExecutionState[done.state], done.error?.message).toBe("SUCCEEDED");
    const item = done.nodes.find((n: { nodeId: string }) => n.nodeId === "m[0]");
    expect(item.attempts.map((a: { state: number }) => NodeState[a.state])).toEqual(["LOST", "SUCCEEDED"]);
    admin.raw.close();
  });
});
