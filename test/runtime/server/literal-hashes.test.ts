// Hashes the runtime computes: a client's Literal.hash is ignored, so a wrong one cannot buy
// another input's cached outputs; a blob ref is the runtime's own content hash only when it names
// the artifact store's file for that hash (the path IS the hash), so a ref to anywhere else, or
// one claiming another file's hash, is refused at CreateExecution.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { BlobKind, LiteralSchema, NodeState, VariableSchema, type Literal } from "../../../proto/index.ts";
import { LocalArtifactStore } from "../../../runtime/artifacts/index.ts";
import { hashLiteral } from "../../../sdk/literals.ts";
import { withHash } from "../../../runtime/scheduler/model/bindings.ts";
import { adminClient, finished, incTask, int, intOf, refNode, runtimePerTest, server, tempDir, TestWorker, workflowSpec } from "../harness.ts";

const rt = runtimePerTest();
const FILE = { type: { case: "blob" as const, value: { kind: BlobKind.FILE } } };

describe("hashes the runtime computes", () => {
  it("withHash recomputes a hash a client filled in, items included", () => {
    const item = int(7);
    item.hash = "forged";
    const list = create(LiteralSchema, { value: { case: "collection", value: { items: [item] } }, hash: "forged" });
    withHash(list);
    expect(item.hash).toBe(hashLiteral(int(7)));
    expect(list.hash).toBe(hashLiteral(create(LiteralSchema, { value: { case: "collection", value: { items: [int(7)] } } })));
  });

  it("a second execution whose input claims the first's hash does not get the first's cached outputs", async () => {
    rt.srv = await server(tempDir());
    const admin = adminClient(rt.srv.address);
    const w = new TestWorker(rt.srv.address);
    rt.workers.push(w);
    await w.connect();
    const cached = incTask("square", { cache: { enabled: true } });
    await admin.registerWorkflow({ spec: workflowSpec("cached", [refNode("t", "square", { input: "x" })], [cached], { output: { node: "t", output: "y" } }) });
    const first = await admin.createExecution({ workflow: "cached", inputs: { literals: { x: int(1) } } });
    expect(intOf((await finished(admin, first.execution.id)).outputs.literals.result)).toBe(2);
    // x = 5, claiming to be x = 1.
    const forged = int(5);
    forged.hash = int(1).hash;
    const second = await admin.createExecution({ workflow: "cached", inputs: { literals: { x: forged } } });
    const done = await finished(admin, second.execution.id);
    expect(NodeState[done.nodes[0].state]).toBe("SUCCEEDED");
    expect(intOf(done.outputs.literals.result)).toBe(6);
    expect(w.assigns).toHaveLength(2);
    // And the honest rerun of x = 1 is still a hit.
    const third = await admin.createExecution({ workflow: "cached", inputs: { literals: { x: int(1) } } });
    expect(NodeState[(await finished(admin, third.execution.id)).nodes[0].state]).toBe("CACHED");
    admin.raw.close();
  });

  it("refuses input refs outside the artifact store, or whose path is not their claimed hash; takes a stored one", async () => {
    const dir = tempDir();
    rt.srv = await server(dir);
    const admin = adminClient(rt.srv.address);
    const readTask = { ...incTask("read"), interface: { inputs: [{ name: "f", type: FILE }], outputs: [] } };
    const spec = workflowSpec(
      "reads",
      [{ id: "r", target: { case: "task", value: "read" }, inputs: [{ var: "f", value: { value: { case: "workflowInput", value: "f" } } }] }],
      [readTask],
    );
    spec.workflow!.interface!.inputs = [create(VariableSchema, { name: "f", type: FILE })];
    await admin.registerWorkflow({ spec });
    const artifacts = new LocalArtifactStore(join(dir, ".weir", "artifacts"));
    const a = await artifacts.put(new TextEncoder().encode("a"));
    const b = await artifacts.put(new TextEncoder().encode("b"));
    const secret = join(dir, "secret.txt");
    writeFileSync(secret, "secret");
    const blob = (uri: string, sha256: string): Literal => create(LiteralSchema, { value: { case: "blob", value: { uri, sha256, kind: BlobKind.FILE } } });
    const refused: Array<[string, Literal, RegExp]> = [
      ["a file anywhere", blob("file:///anywhere/secret.txt", a.sha256), /not the artifact store's file/],
      [
        "an escape through sha256/..",
        blob(`${pathToFileURL(join(dir, ".weir", "artifacts", "sha256")).href}/../../../secret.txt`, a.sha256),
        /not the artifact store's file/,
      ],
      ["the project's own file", blob(pathToFileURL(secret).href, a.sha256), /not the artifact store's file/],
      ["a stored file claiming another's hash", blob(a.uri, b.sha256), /not the artifact store's file/],
      ["a hash with no file", blob(pathToFileURL(artifacts.pathForHash("c".repeat(64))).href, "c".repeat(64)), /not in the artifact store/],
      ["not a file URI", blob("s3://bucket/key", a.sha256), /not the artifact store's file/],
    ];
    for (const [what, lit, why] of refused) {
      const err = (await admin.createExecution({ workflow: "reads", inputs: { literals: { f: lit } } }).then(
        () => undefined,
        (e: grpc.ServiceError) => e,
      )) as grpc.ServiceError | undefined;
      expect(err?.code, what).toBe(grpc.status.INVALID_ARGUMENT);
      expect(err?.details, what).toMatch(why);
      expect(err?.details, what).toMatch(/input "f"/);
    }
    const ok = await admin.createExecution({ workflow: "reads", inputs: { literals: { f: blob(a.uri, a.sha256) } } });
    expect(ok.execution.id).toBeTruthy();
    admin.raw.close();
  });

  it("refuses a spec whose literal binding names a file outside the artifact store", async () => {
    rt.srv = await server(tempDir());
    const admin = adminClient(rt.srv.address);
    const readTask = { ...incTask("read"), interface: { inputs: [{ name: "f", type: FILE }], outputs: [] } };
    const literal = create(LiteralSchema, { value: { case: "blob", value: { uri: "file:///etc/passwd", sha256: "a".repeat(64), kind: BlobKind.FILE } } });
    const spec = workflowSpec(
      "fixed",
      [{ id: "r", target: { case: "task", value: "read" }, inputs: [{ var: "f", value: { value: { case: "literal", value: literal } } }] }],
      [readTask],
    );
    const err = (await admin.registerWorkflow({ spec }).then(
      () => undefined,
      (e: grpc.ServiceError) => e,
    )) as grpc.ServiceError | undefined;
    expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err?.details).toMatch(/file:\/\/\/etc\/passwd/);
    admin.raw.close();
  });
});
