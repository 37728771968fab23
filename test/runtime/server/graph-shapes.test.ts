import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { create } from "@bufbuild/protobuf";
import { afterEach, describe, expect, it } from "vitest";
import { CompiledWorkflowSchema, Comparison_Operator, ExecutionState, LiteralSchema, NodeState } from "../../../proto/index.ts";
import type { RunningServer } from "../../../runtime/index.ts";
import { adminClient, durationFromMs, finished, increment, incTask, INT, int, intOf, server, str, STR, tempDir, TestWorker, waitFor } from "../harness.ts";

let srv: RunningServer | undefined;
const workers: TestWorker[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) w.close();
  await srv?.stop();
  srv = undefined;
});

const LIST = { type: { case: "collection" as const, value: { item: INT } } };
const wfInput = (name: string) => ({ value: { case: "workflowInput" as const, value: name } });
const ref = (nodeId: string, output: string) => ({ value: { case: "ref" as const, value: { nodeId, output } } });

describe("maps, branches and sensors", () => {
  it("maps a task over a list (items as score[i], outputs gathered in order) and takes a branch", async () => {
    const dir = tempDir();
    srv = await server(dir);
    const admin = adminClient(srv.address);
    let inFlight = 0;
    let maxInFlight = 0;
    const w: TestWorker = new TestWorker(
      srv.address,
      async (a, self) => {
        const item = a.nodeId.startsWith("score[");
        if (item) maxInFlight = Math.max(maxInFlight, ++inFlight);
        await new Promise((r) => setTimeout(r, 20));
        if (item) inFlight--;
        return increment(a, self);
      },
      { capacity: 4 },
    );
    workers.push(w);
    await w.connect();
    const spec = create(CompiledWorkflowSchema, {
      workflow: {
        name: "shapes",
        interface: {
          inputs: [
            { name: "xs", type: LIST },
            { name: "n", type: INT },
          ],
          outputs: [
            { name: "ys", type: LIST },
            { name: "picked", type: INT },
          ],
        },
        nodes: [
          { id: "score", target: { case: "map", value: { task: "inc", mappedInput: "x", concurrency: 2 } }, inputs: [{ var: "x", value: wfInput("xs") }] },
          {
            id: "pick",
            target: {
              case: "branch",
              value: {
                cases: [
                  {
                    condition: {
                      expr: {
                        case: "comparison",
                        value: { operator: Comparison_Operator.GT, left: wfInput("n"), right: { value: { case: "literal", value: int(10) } } },
                      },
                    },
                    nodes: [{ id: "big", target: { case: "task", value: "inc" }, inputs: [{ var: "x", value: wfInput("n") }] }],
                    outputs: [{ var: "v", value: ref("big", "y") }],
                  },
                ],
                otherwise: {
                  nodes: [
                    { id: "small", target: { case: "task", value: "inc" }, inputs: [{ var: "x", value: { value: { case: "literal", value: int(100) } } }] },
                  ],
                  outputs: [{ var: "v", value: ref("small", "y") }],
                },
                interface: { outputs: [{ name: "v", type: INT }] },
              },
            },
          },
        ],
        outputs: [
          { var: "ys", value: ref("score", "y") },
          { var: "picked", value: ref("pick", "v") },
        ],
      },
      tasks: [incTask() as never],
    });
    await admin.registerWorkflow({ spec });
    const xs = create(LiteralSchema, { value: { case: "collection", value: { items: [int(1), int(2), int(3), int(4), int(5)] } } });
    const { execution } = await admin.createExecution({ workflow: "shapes", inputs: { literals: { xs, n: int(3) } } });
    const done = await finished(admin, execution.id);
    expect(ExecutionState[done.state]).toBe("SUCCEEDED");
    const ys = done.outputs.literals.ys.value.value.items.map(intOf);
    expect(ys).toEqual([2, 3, 4, 5, 6]);
    expect(intOf(done.outputs.literals.picked)).toBe(101);
    const states = Object.fromEntries(done.nodes.map((n: { nodeId: string; state: number }) => [n.nodeId, NodeState[n.state]]));
    expect(states["score[4]"]).toBe("SUCCEEDED");
    expect(states["pick.big"]).toBe("SKIPPED");
    expect(states["pick.small"]).toBe("SUCCEEDED");
    // concurrency 2: never more than two items of the map in flight at once, though the worker has 4 slots
    expect(w.assigns.filter((a) => a.nodeId.startsWith("score[")).length).toBe(5);
    expect(maxInFlight).toBe(2);
  });

  it("waits on a file without a worker slot, then fails with a clear reason at its timeout", async () => {
    const dir = tempDir();
    srv = await server(dir);
    const admin = adminClient(srv.address);
    const sensorSpec = (name: string, timeoutMs: number) =>
      create(CompiledWorkflowSchema, {
        workflow: {
          name,
          interface: { inputs: [{ name: "day", type: STR }] },
          nodes: [
            {
              id: "wait",
              target: { case: "sensor", value: { sensor: { case: "file", value: { pokeInterval: durationFromMs(50), timeout: durationFromMs(timeoutMs) } } } },
              inputs: [
                {
                  var: "path",
                  value: {
                    value: {
                      case: "template",
                      value: {
                        parts: [
                          { part: { case: "text", value: "data/incoming/" } },
                          { part: { case: "workflowInput", value: "day" } },
                          { part: { case: "text", value: "/data.csv" } },
                        ],
                      },
                    },
                  },
                },
              ],
            },
          ],
        },
      });
    await admin.registerWorkflow({ spec: sensorSpec("sense", 5_000) });
    await admin.registerWorkflow({ spec: sensorSpec("never", 300) });
    const { execution } = await admin.createExecution({ workflow: "sense", inputs: { literals: { day: str("2026-11-24") } } });
    await waitFor(async () => (await admin.getExecution({ id: execution.id })).execution.nodes[0].state === NodeState.WAITING || undefined);
    mkdirSync(join(dir, "data/incoming/2026-11-24"), { recursive: true });
    writeFileSync(join(dir, "data/incoming/2026-11-24/data.csv"), "a,b\n1,2\n");
    const done = await finished(admin, execution.id);
    expect(ExecutionState[done.state]).toBe("SUCCEEDED");
    const file = done.nodes[0].outputs.literals.file.value.value;
    // Stored in the artifact store, so tasks read it as any other ref.
    expect(file.uri).toBe(pathToFileURL(join(dir, ".weir", "artifacts", "sha256", file.sha256.slice(0, 2), file.sha256)).href);
    expect(Number(file.size)).toBe(8);
    const timedOut = await admin.createExecution({ workflow: "never", inputs: { literals: { day: str("2026-11-25") } } });
    const failed = await finished(admin, timedOut.execution.id);
    expect(failed.error.message).toBe("file data/incoming/2026-11-25/data.csv did not appear within 300ms");
  });
});
