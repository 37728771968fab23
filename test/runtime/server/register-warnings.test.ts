// RegisterWorkflow accepts a spec the checks only warn about, and says what they warn about: the
// same WEIR codes `weir compile` prints.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import { afterEach, describe, expect, it } from "vitest";
import { checkCompiledWorkflow } from "../../../core/index.ts";
import { ArrowTypeId, CompiledWorkflowSchema } from "../../../proto/index.ts";
import type { RegisterWorkflowResponse } from "../../../proto/index.ts";
import type { RunningServer } from "../../../runtime/index.ts";
import { runCli } from "../../e2e/harness.ts";
import { adminClient, incTask, server, tempDir, workflowSpec } from "../harness.ts";

let srv: RunningServer | undefined;
afterEach(async () => {
  await srv?.stop();
  srv = undefined;
});

const table = { type: { case: "dataframe" as const, value: { columns: [{ name: "age", type: { id: ArrowTypeId.UTF8 } }], format: "arrow" } } };
const any = { type: { case: "dataframe" as const, value: { columns: [], format: "arrow", any: true } } };

/** produce → consume over a dataframe edge, the consumer's input declared as `input`. */
function edgeSpec(name: string, input: typeof table | typeof any) {
  const produce = { ...incTask("produce"), interface: { inputs: [], outputs: [{ name: "table", type: table }] } };
  const consume = { ...incTask("consume"), interface: { inputs: [{ name: "table", type: input }], outputs: [] } };
  const spec = workflowSpec(
    name,
    [
      { id: "p", target: { case: "task", value: "produce" }, source: { file: "wf.ts", line: 3, column: 5 } },
      {
        id: "c",
        target: { case: "task", value: "consume" },
        upstream: ["p"],
        inputs: [{ var: "table", value: { value: { case: "ref", value: { nodeId: "p", output: "table" } } }, source: { file: "wf.ts", line: 4, column: 7 } }],
        source: { file: "wf.ts", line: 4, column: 5 },
      },
    ],
    [produce, consume],
  );
  spec.workflow!.interface!.inputs = [];
  return spec;
}

describe("RegisterWorkflow warnings", () => {
  it("accepts a df.any() input and returns the spec checks' warning, with its code and place", async () => {
    srv = await server(tempDir());
    const admin = adminClient(srv.address);
    const spec = edgeSpec("loose", any);
    const expected = checkCompiledWorkflow(spec).filter((d) => d.category === "warning");
    expect(expected.map((d) => d.code)).toContain("WEIR6003");
    const response: RegisterWorkflowResponse = await admin.registerWorkflow({ spec });
    expect(response.created).toBe(true);
    expect(response.warnings.map((w) => [w.code, w.category, w.message, w.location?.file, w.location?.line])).toEqual(
      expected.map((d) => [d.code, "warning", d.message, d.location?.file, d.location?.line]),
    );
    expect(response.warnings.find((w) => w.code === "WEIR6003")?.message).toContain("input 'table'");
  });

  it("returns no warnings for a fully typed spec", async () => {
    srv = await server(tempDir());
    const admin = adminClient(srv.address);
    const response: RegisterWorkflowResponse = await admin.registerWorkflow({ spec: edgeSpec("typed", table) });
    expect(response.warnings).toEqual([]);
  });

  it("is printed by weir register, with its WEIR code, after the table", async () => {
    const dir = tempDir();
    srv = await server(dir);
    const file = join(dir, "loose.pb");
    writeFileSync(file, toBinary(CompiledWorkflowSchema, create(CompiledWorkflowSchema, edgeSpec("loose", any))));
    const result = await runCli(["register", file, "--server", srv.address], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/loose .*created/);
    expect(result.stdout).toMatch(/^warning WEIR6003 tasks\.ts:1:1 input 'table' of task 'consume'/m);
  });
});
