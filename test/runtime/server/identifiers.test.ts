// Ids and names at the door: one character set and length for every id a client sends, refused
// promptly with INVALID_ARGUMENT saying what is allowed, and messages that never quote a client
// string unbounded (a 128 KiB id used to get no answer at all).
import { create, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { AdminService, GetExecutionRequestSchema } from "../../../proto/index.ts";
import { boundedDetails, quoted } from "../../../runtime/server/client-text.ts";
import { IDENTIFIER_RULES, identifierProblem } from "../../../runtime/server/identifiers.ts";
import { adminClient, incTask, int, refNode, runtimePerTest, server, tempDir, TestWorker, workflowSpec } from "../harness.ts";
import { rawCall } from "./raw-calls.ts";

const rt = runtimePerTest();

describe("the identifier rule", () => {
  it("takes the ids the runtime itself makes and refuses paths, odd characters and oversize values", () => {
    for (const ok of [
      "daily-2024-01-01T00:00:00.000Z",
      "sub.inner",
      "map[3]",
      "sub.map[12]",
      "worker-lq3x8a01abcd",
      "a..b",
      "user@host+tag",
      "x".repeat(256),
    ]) {
      expect(identifierProblem("id", ok), ok).toBeUndefined();
    }
    for (const bad of ["../../../x", "a/b", "..", ".", "a b", "a\\b", "é", "a\0b", "x".repeat(257), "é".repeat(129)]) {
      expect(identifierProblem("id", bad), bad).toMatch(/letters, digits and|may not be/);
    }
    expect(identifierProblem("id", "")).toBeUndefined();
  });

  it("quotes client text bounded, saying its full size", () => {
    expect(quoted("short")).toBe("short");
    const huge = "y".repeat(128 * 1024);
    expect(quoted(huge)).toBe(`${"y".repeat(80)}…(${128 * 1024} bytes)`);
    expect(boundedDetails("z".repeat(100_000)).length).toBeLessThan(17_000);
  });
});

describe("ids at the door of a real server", () => {
  it("answers a 128 KiB execution id at once with INVALID_ARGUMENT, quoting it bounded", async () => {
    rt.srv = await server(tempDir());
    const client = new grpc.Client(rt.srv.address, grpc.credentials.createInsecure());
    const id = "x".repeat(128 * 1024);
    for (const method of ["GetExecution", "WatchExecution", "TerminateExecution", "RecoverExecution"]) {
      const kind = method === "WatchExecution" ? "server_streaming" : "unary";
      const end = await rawCall(
        client,
        `/weir.v1.AdminService/${method}`,
        kind,
        [toBinary(GetExecutionRequestSchema, create(GetExecutionRequestSchema, { id }))],
        5_000,
      );
      expect(end.code, `${method}: ${end.details}`).toBe(grpc.status.INVALID_ARGUMENT);
      expect(end.ms).toBeLessThan(2_000);
      expect(end.details).toContain(`…(${128 * 1024} bytes)`);
      expect(end.details).toContain(IDENTIFIER_RULES.characters);
      expect(end.details.length).toBeLessThan(1_000);
    }
    client.close();
  });

  it("refuses a path-like id on every method that takes one, and a spec whose names are not ids", async () => {
    rt.srv = await server(tempDir());
    const admin = adminClient(rt.srv.address);
    const bad = "../../../x";
    const calls: Array<[string, () => Promise<unknown>]> = [
      ["GetWorkflow", () => admin.getWorkflow({ name: bad })],
      ["CreateExecution (workflow)", () => admin.createExecution({ workflow: bad })],
      ["CreateExecution (execution id)", () => admin.createExecution({ workflow: "wf", executionId: bad })],
      ["CreateExecution (input name)", () => admin.createExecution({ workflow: "wf", inputs: { literals: { "a/b": int(1) } } })],
      ["GetExecution", () => admin.getExecution({ id: bad })],
      ["ListExecutions", () => admin.listExecutions({ workflow: bad })],
      ["ListExecutions (page token)", () => admin.listExecutions({ pageToken: "abc" })],
      ["TerminateExecution", () => admin.terminateExecution({ id: bad })],
      ["TerminateExecution (reason)", () => admin.terminateExecution({ id: "e", reason: "r".repeat(10_000) })],
      ["RecoverExecution", () => admin.recoverExecution({ id: bad })],
      ["ClearNodes", () => admin.clearNodes({ executionId: "e", nodeIds: ["a", bad] })],
      ["CreateBackfill", () => admin.createBackfill({ workflow: bad })],
      ["GetNodeLogs", () => admin.getNodeLogs({ executionId: "e", nodeId: bad })],
      ["RegisterWorkflow (workflow name)", () => admin.registerWorkflow({ spec: workflowSpec("a/b", [refNode("a", "inc", { input: "x" })], [incTask()]) })],
      ["RegisterWorkflow (node id)", () => admin.registerWorkflow({ spec: workflowSpec("wf", [refNode("..", "inc", { input: "x" })], [incTask()]) })],
      ["RegisterWorkflow (task name)", () => admin.registerWorkflow({ spec: workflowSpec("wf", [refNode("a", "i n c", { input: "x" })], [incTask("i n c")]) })],
    ];
    for (const [what, call] of calls) {
      const err = (await call().then(
        () => undefined,
        (e: grpc.ServiceError) => e,
      )) as grpc.ServiceError | undefined;
      expect(err?.code, what).toBe(grpc.status.INVALID_ARGUMENT);
    }
    // The ids the runtime makes itself pass: an execution named like a scheduled run.
    await admin.registerWorkflow({ spec: workflowSpec("wf", [refNode("a", "inc", { input: "x" })], [incTask()]) });
    const id = "wf-2026-11-24T00:00:00.000Z";
    const { execution } = await admin.createExecution({ workflow: "wf", executionId: id, inputs: { literals: { x: int(1) } } });
    expect(execution.id).toBe(id);
    expect((await admin.getNodeLogs({ executionId: id, nodeId: "sub.map[3]" })).lines).toEqual([]);
    admin.raw.close();
  });

  it("refuses a worker whose id is not an id, and serves the next", async () => {
    rt.srv = await server(tempDir());
    const bad = new TestWorker(rt.srv.address, undefined, { id: "../../etc" });
    const err = (await bad.connect().then(
      () => undefined,
      (e: grpc.ServiceError) => e,
    )) as grpc.ServiceError | undefined;
    expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err?.details).toMatch(/worker id '\.\.\/\.\.\/etc'/);
    bad.close();
    const good = new TestWorker(rt.srv.address, undefined, { id: "w-1" });
    rt.workers.push(good);
    expect(await good.connect()).toBe("w-1");
  });

  it("names every method of AdminService in its table of request checks, but RegisterWorkflow's spec check and the id-free ones", async () => {
    const { ADMIN_REQUEST_CHECKS } = await import("../../../runtime/server/request-checks.ts");
    const unchecked = AdminService.methods.map((m) => m.name).filter((m) => !(m in ADMIN_REQUEST_CHECKS));
    expect(unchecked.sort()).toEqual(["ListWorkers", "ListWorkflows", "PutArtifact", "RegisterWorkflow", "UploadArtifact"]);
  });
});
