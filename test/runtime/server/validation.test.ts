import * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { ArrowTypeId, ExecutionState } from "../../../proto/index.ts";
import type { RunningServer } from "../../../runtime/index.ts";
import { adminClient, incTask, int, refNode, server, str, tempDir, workflowSpec } from "../harness.ts";

let srv: RunningServer | undefined;
afterEach(async () => {
  await srv?.stop();
  srv = undefined;
});

const df = (id: ArrowTypeId, extra = {}) => ({
  type: { case: "dataframe" as const, value: { columns: [{ name: "age", type: { id, ...extra } }], format: "arrow" } },
});

describe("validation at the door", () => {
  it("rejects a hand-edited spec (Int32 column into Utf8) with the compiler's diagnostic", async () => {
    srv = await server(tempDir());
    const admin = adminClient(srv.address);
    const produce = {
      ...incTask("produce"),
      interface: { inputs: [], outputs: [{ name: "table", type: df(ArrowTypeId.INT, { bitWidth: 32, signed: true }) }] },
    };
    const consume = { ...incTask("consume"), interface: { inputs: [{ name: "table", type: df(ArrowTypeId.UTF8) }], outputs: [] } };
    const spec = workflowSpec(
      "edited",
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
    const err = await admin.registerWorkflow({ spec }).catch((e) => e);
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/wf\.ts:\d+:\d+ WEIR\d{4} /);
    expect(err.details).toMatch(/age/);
  });

  it("rejects bad and missing inputs naming the input and the expected type; unknown names are NOT_FOUND", async () => {
    srv = await server(tempDir());
    const admin = adminClient(srv.address);
    await admin.registerWorkflow({ spec: workflowSpec("wf", [refNode("a", "inc", { input: "x" })], [incTask()]) });
    const bad = await admin.createExecution({ workflow: "wf", inputs: { literals: { x: str("five") } } }).catch((e) => e);
    expect(bad.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(bad.details).toMatch(/input "x"/);
    const missing = await admin.createExecution({ workflow: "wf", inputs: { literals: {} } }).catch((e) => e);
    expect(missing.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(missing.details).toMatch(/missing input "x": expected int/);
    expect((await admin.createExecution({ workflow: "nope" }).catch((e) => e)).code).toBe(grpc.status.NOT_FOUND);
    expect((await admin.getExecution({ id: "nope" }).catch((e) => e)).code).toBe(grpc.status.NOT_FOUND);
    expect((await admin.getWorkflow({ name: "nope" }).catch((e) => e)).code).toBe(grpc.status.NOT_FOUND);
    expect((await admin.getExecution({}).catch((e) => e)).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await admin.registerWorkflow({}).catch((e) => e)).code).toBe(grpc.status.INVALID_ARGUMENT);
    const ok = await admin.createExecution({ workflow: "wf", inputs: { literals: { x: int(1) } }, executionId: "mine" });
    expect(ok.execution.id).toBe("mine");
    expect(ExecutionState[ok.execution.state]).toBe("RUNNING");
    const same = await admin.createExecution({ workflow: "wf", inputs: { literals: { x: int(1) } }, executionId: "mine" });
    expect(same.execution.id).toBe("mine");
  });

  it("answers garbage bytes with INVALID_ARGUMENT and keeps serving", async () => {
    srv = await server(tempDir());
    const client = new grpc.Client(srv.address, grpc.credentials.createInsecure());
    const err = await new Promise<grpc.ServiceError>((ok) =>
      client.makeUnaryRequest(
        "/weir.v1.AdminService/GetExecution",
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.from([0xff, 0xff, 0xff, 0x0f, 0x01]),
        (e) => ok(e!),
      ),
    );
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    client.close();
    const admin = adminClient(srv.address);
    expect((await admin.listWorkflows({})).workflows).toEqual([]);
  });

  it("reports SERVING on gRPC health checks", async () => {
    srv = await server(tempDir());
    const { service } = await import("grpc-health-check");
    const Health = grpc.makeGenericClientConstructor(service as never, "Health");
    const health = new Health(srv.address, grpc.credentials.createInsecure()) as unknown as grpc.Client & { check: Function };
    for (const name of ["", "weir.v1.AdminService"]) {
      const res = await new Promise<{ status: string }>((ok, fail) =>
        health.check({ service: name }, (e: Error, r: { status: string }) => (e ? fail(e) : ok(r))),
      );
      expect(res.status).toBe("SERVING");
    }
    health.close();
  });
});
