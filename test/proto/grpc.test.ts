import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { AdminService, CompiledWorkflowSchema, LiteralTypeSchema, WorkerService, ArrowTypeId, grpcServiceDefinition } from "../../proto/index.ts";

describe("grpc bridge", () => {
  it("maps every AdminService method to a grpc-js definition with the weir.v1 path", () => {
    const def = grpcServiceDefinition(AdminService);
    expect(Object.keys(def)).toContain("registerWorkflow");
    expect(def.watchExecution.path).toBe("/weir.v1.AdminService/WatchExecution");
    expect(def.watchExecution.responseStream).toBe(true);
    expect(def.watchExecution.requestStream).toBe(false);
    expect(def.createExecution.responseStream).toBe(false);
  });

  it("marks Connect as a bidirectional stream and round-trips messages through the serialisers", () => {
    const def = grpcServiceDefinition(WorkerService);
    expect(def.connect.requestStream && def.connect.responseStream).toBe(true);
    const msg = { $typeName: "weir.v1.WorkerMessage", msg: { case: "heartbeat", value: { $typeName: "weir.v1.Heartbeat", running: [7n] } } };
    const back = def.connect.requestDeserialize(def.connect.requestSerialize(msg as never)) as typeof msg;
    expect(back.msg.case).toBe("heartbeat");
    expect((back.msg.value as { running: bigint[] }).running).toEqual([7n]);
  });

  it("round-trips a dataframe type with Arrow parameters", () => {
    const t = create(LiteralTypeSchema, {
      type: {
        case: "dataframe",
        value: {
          columns: [
            { name: "ts", nullable: true, type: { id: ArrowTypeId.TIMESTAMP, unit: 2, timezone: "UTC" } },
            { name: "age", type: { id: ArrowTypeId.INT, bitWidth: 32, signed: true } },
          ],
          format: "arrow",
        },
      },
    });
    const back = fromBinary(LiteralTypeSchema, toBinary(LiteralTypeSchema, t));
    expect(back).toEqual(t);
    expect(create(CompiledWorkflowSchema).tasks).toEqual([]);
  });
});
