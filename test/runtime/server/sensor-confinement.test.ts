// Sensor paths resolve inside the project root, or inside a root the runtime was started with
// (`--sensor-root`): a path leading elsewhere (`../outside/secret.txt`, an absolute one, a symlink
// out of the project) fails the sensor with a clear error, and a spec that writes such a path
// outright is refused at RegisterWorkflow.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { CompiledWorkflowSchema, ExecutionState, NodeState, type BindingValueSchema } from "../../../proto/index.ts";
import { sensorPath } from "../../../runtime/scheduler/transitions/sensors.ts";
import { adminClient, durationFromMs, finished, runtimePerTest, server, str, STR, tempDir } from "../harness.ts";

const rt = runtimePerTest();

/** A workflow whose one node waits for the file its `path` binding names. */
function sensorSpec(name: string, path: MessageInitShape<typeof BindingValueSchema>) {
  return create(CompiledWorkflowSchema, {
    workflow: {
      name,
      interface: { inputs: [{ name: "p", type: STR }] },
      nodes: [
        {
          id: "wait",
          target: { case: "sensor", value: { sensor: { case: "file", value: { pokeInterval: durationFromMs(50), timeout: durationFromMs(5_000) } } } },
          inputs: [{ var: "path", value: path }],
        },
      ],
    },
  });
}

const fromInput = { value: { case: "workflowInput" as const, value: "p" } };

describe("sensor paths stay inside their roots", () => {
  it("resolves relative paths in the project and refuses what leads out", () => {
    const roots = { projectRoot: "/srv/project", extra: ["/data/landing"] };
    expect(sensorPath("in/file.csv", roots)).toBe("/srv/project/in/file.csv");
    expect(sensorPath("/data/landing/x.csv", roots)).toBe("/data/landing/x.csv");
    for (const bad of ["../outside/secret.txt", "/etc/passwd", "in/../../x", "/data/landing/../x", ""]) {
      expect(() => sensorPath(bad, roots), bad).toThrow(/leads outside the project root \/srv\/project or the sensor roots \/data\/landing; .*--sensor-root/);
    }
  });

  it("fails a sensor whose path (from an input) leads outside the project, and one whose file is a symlink out", async () => {
    const base = tempDir();
    const project = join(base, "project");
    mkdirSync(join(project, "in"), { recursive: true });
    mkdirSync(join(base, "outside"));
    writeFileSync(join(base, "outside", "secret.txt"), "secret");
    symlinkSync(join(base, "outside", "secret.txt"), join(project, "in", "link.txt"));
    rt.srv = await server(project);
    const admin = adminClient(rt.srv.address);
    await admin.registerWorkflow({ spec: sensorSpec("sense", fromInput) });
    for (const p of ["../outside/secret.txt", join(base, "outside", "secret.txt"), "in/link.txt"]) {
      const { execution } = await admin.createExecution({ workflow: "sense", inputs: { literals: { p: str(p) } } });
      const done = await finished(admin, execution.id);
      expect(ExecutionState[done.state], p).toBe("FAILED");
      expect(done.nodes[0].error.code, p).toBe("BINDING_FAILED");
      expect(done.nodes[0].error.message, p).toMatch(/leads outside the project root/);
      expect(done.nodes[0].outputs?.literals?.file, p).toBeUndefined();
    }
    // Inside the project, it waits and succeeds as before.
    writeFileSync(join(project, "in", "ok.txt"), "ok");
    const { execution } = await admin.createExecution({ workflow: "sense", inputs: { literals: { p: str("in/ok.txt") } } });
    expect(NodeState[(await finished(admin, execution.id)).nodes[0].state]).toBe("SUCCEEDED");
    admin.raw.close();
  });

  it("watches a directory outside the project when the runtime names it a sensor root", async () => {
    const base = tempDir();
    mkdirSync(join(base, "project"));
    mkdirSync(join(base, "landing"));
    writeFileSync(join(base, "landing", "drop.csv"), "a\n");
    rt.srv = await server(join(base, "project"), { sensorRoots: [join(base, "landing")] });
    const admin = adminClient(rt.srv.address);
    await admin.registerWorkflow({ spec: sensorSpec("sense", fromInput) });
    const { execution } = await admin.createExecution({ workflow: "sense", inputs: { literals: { p: str(join(base, "landing", "drop.csv")) } } });
    const done = await finished(admin, execution.id);
    expect(ExecutionState[done.state], done.error?.message).toBe("SUCCEEDED");
    admin.raw.close();
  });

  it("refuses at RegisterWorkflow a spec whose sensor path, written in full, leads outside", async () => {
    rt.srv = await server(tempDir());
    const admin = adminClient(rt.srv.address);
    const literal = { value: { case: "literal" as const, value: str("../outside/secret.txt") } };
    const template = {
      value: {
        case: "template" as const,
        value: { parts: [{ part: { case: "text" as const, value: "/etc/" } }, { part: { case: "text" as const, value: "passwd" } }] },
      },
    };
    for (const path of [literal, template]) {
      const err = (await admin.registerWorkflow({ spec: sensorSpec("static", path) }).then(
        () => undefined,
        (e: grpc.ServiceError) => e,
      )) as grpc.ServiceError | undefined;
      expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(err?.details).toMatch(/sensor "wait": sensor path '.*' leads outside the project root/);
    }
    admin.raw.close();
  });
});
