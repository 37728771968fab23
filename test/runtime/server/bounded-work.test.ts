// Bounded work: a spec's expanded size (subworkflows inlined, every branch arm, maps as wide as
// their known list) is computed without expanding it, and a spec or an execution past --max-nodes
// is refused with INVALID_ARGUMENT naming the figure: a 2 KiB spec of 24 nested subworkflows each
// calling the next twice (2^24 task nodes) no longer takes the runtime's heap.
import { create, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { CompiledWorkflowSchema, LiteralSchema, LiteralSetSchema, VariableSchema, type CompiledWorkflow, type NodeSchema } from "../../../proto/index.ts";
import { expandedNodeCount, mapWidthProblem } from "../../../runtime/scheduler/model/limits.ts";
import { adminClient, incTask, INT, int, refNode, runtimePerTest, server, tempDir, workflowSpec } from "../harness.ts";

const rt = runtimePerTest();

/** `levels` subworkflows, each calling the next twice; the last runs one task. */
function bomb(levels: number): CompiledWorkflow {
  const iface = { inputs: [{ name: "x", type: INT }], outputs: [] };
  const call = (id: string, target: string): MessageInitShape<typeof NodeSchema> => ({
    id,
    target: { case: "subworkflow", value: target },
    inputs: [{ var: "x", value: { value: { case: "workflowInput", value: "x" } } }],
  });
  const subworkflows = Array.from({ length: levels }, (_, i) => ({
    name: `level${i}`,
    version: "v",
    interface: iface,
    nodes: i === levels - 1 ? [refNode("leaf", "inc", { input: "x" })] : [call("a", `level${i + 1}`), call("b", `level${i + 1}`)],
  }));
  return create(CompiledWorkflowSchema, {
    workflow: { name: "bomb", version: "", interface: iface, nodes: [call("a", "level0"), call("b", "level0")] },
    subworkflows,
    tasks: [incTask()] as never,
  });
}

const list = (n: number) => create(LiteralSchema, { value: { case: "collection", value: { items: Array.from({ length: n }, (_, i) => int(i)) } } });

function mapSpec(items?: number) {
  const source = items === undefined ? { case: "workflowInput" as const, value: "xs" } : { case: "literal" as const, value: list(items) };
  const spec = workflowSpec(
    "fan",
    [{ id: "m", target: { case: "map", value: { task: "inc", mappedInput: "x" } }, inputs: [{ var: "x", value: { value: source } }] }],
    [incTask()],
  );
  spec.workflow!.interface!.inputs =
    items === undefined ? [create(VariableSchema, { name: "xs", type: { type: { case: "collection", value: { item: INT } } } })] : [];
  return spec;
}

describe("the expanded size of a spec", () => {
  it("counts subworkflows once each (memoised), branch arms, and maps by their known width", () => {
    const b = bomb(24);
    expect(toBinary(CompiledWorkflowSchema, b).byteLength).toBeLessThan(4_096);
    // 2 calls at each of 24 levels: 2 + 4 + … + 2^24 subworkflow nodes, and 2^24 leaves.
    expect(expandedNodeCount(b)).toBe(2 ** 25 - 2 + 2 ** 24);
    expect(expandedNodeCount(bomb(1))).toBe(2 + 2);
    expect(expandedNodeCount(mapSpec(10))).toBe(11);
    expect(expandedNodeCount(mapSpec())).toBe(1);
    expect(expandedNodeCount(mapSpec(), create(LiteralSetSchema, { literals: { xs: list(500) } }))).toBe(501);
  });

  it("says why a map may not expand", () => {
    expect(mapWidthProblem("m", 10, 5, 100)).toBeUndefined();
    expect(mapWidthProblem("m", 1_000, 5, 100)).toMatch(
      /map "m" has 1,000 items, which would make 1,005 nodes in this execution; this runtime runs at most 100 per execution \(weir server --max-nodes\)/,
    );
  });
});

describe("bounded work at the door", () => {
  it("refuses the 2^24 bomb at RegisterWorkflow at once, naming the figure, and keeps serving", async () => {
    rt.srv = await server(tempDir());
    const admin = adminClient(rt.srv.address);
    const started = Date.now();
    const err = (await admin.registerWorkflow({ spec: bomb(24) }).then(
      () => undefined,
      (e: grpc.ServiceError) => e,
    )) as grpc.ServiceError | undefined;
    expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err?.details).toMatch(/would have 50,331,646 nodes .* at most 100,000 per execution \(weir server --max-nodes\)/);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((await admin.listWorkflows({})).workflows).toEqual([]);
    admin.raw.close();
  });

  it("refuses at CreateExecution a spec registered under a higher limit, and a map whose input list is too wide", async () => {
    const dir = tempDir();
    rt.srv = await server(dir, { maxNodes: Number.MAX_SAFE_INTEGER });
    let admin = adminClient(rt.srv.address);
    await admin.registerWorkflow({ spec: bomb(24) });
    admin.raw.close();
    await rt.srv.stop();
    rt.srv = await server(dir, { maxNodes: 1_000 });
    admin = adminClient(rt.srv.address);
    const bombed = (await admin.createExecution({ workflow: "bomb", inputs: { literals: { x: int(1) } } }).then(
      () => undefined,
      (e: grpc.ServiceError) => e,
    )) as grpc.ServiceError | undefined;
    expect(bombed?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(bombed?.details).toMatch(/50,331,646 nodes/);
    await admin.registerWorkflow({ spec: mapSpec() });
    const wide = (await admin.createExecution({ workflow: "fan", inputs: { literals: { xs: list(1_000) } } }).then(
      () => undefined,
      (e: grpc.ServiceError) => e,
    )) as grpc.ServiceError | undefined;
    expect(wide?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(wide?.details).toMatch(/would have 1,001 nodes .* at most 1,000/);
    const ok = await admin.createExecution({ workflow: "fan", inputs: { literals: { xs: list(999) } } });
    expect(ok.execution.id).toBeTruthy();
    admin.raw.close();
  });
});
