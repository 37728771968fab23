// A worker at concurrency 64 given one AssignBatch of 64 attempts that carry inputs (a map's items):
// every attempt's inputs are transferred to a task thread, so each must own its buffer. Views into
// the one received frame put the same ArrayBuffer in a transfer list twice (DataCloneError), or
// detach the frame under the template bytes still pointing into it.
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalArtifactStore } from "../../../runtime/artifacts/index.ts";
import { Worker } from "../../../runtime/worker/index.ts";
import { fromLiteral, toLiteral } from "../../../sdk/literals.ts";
import { RuntimeDouble } from "./runtime-double.ts";
import { INT, makeProject, tsTask } from "./worker-fixture.ts";

let project: string;
let runtime: RuntimeDouble;
let worker: Worker;
let store: LocalArtifactStore;

beforeAll(async () => {
  project = makeProject("weir-batch-");
  runtime = new RuntimeDouble(join(project, "artifacts"));
  await runtime.listen();
  store = new LocalArtifactStore(join(project, "artifacts"));
  worker = new Worker({
    server: `127.0.0.1:${runtime.port}`,
    id: "w-batch",
    projectRoot: project,
    concurrency: 64,
    threads: 2,
    logger: pino({ level: "warn" }),
  });
  await worker.start();
});

afterAll(async () => {
  await worker.stop(0);
  runtime.stop();
});

describe("worker: an AssignBatch of attempts with inputs", () => {
  it("runs 64 attempts of one batch (well over 4 KiB) and each gets its own inputs", async () => {
    const add = tsTask(project, "src/tasks.ts", "add", { a: INT, b: INT }, { sum: INT });
    const inits = [];
    for (let i = 0; i < 64; i++) {
      const inputs = { a: await toLiteral(i, INT, store), b: await toLiteral(1_000, INT, store) };
      inits.push({ leaseToken: BigInt(1_000 + i), executionId: "ex-map", nodeId: `work[${i}]`, attempt: 1, task: add, inputs: { literals: inputs } });
    }
    for (const round of [1, 2]) {
      const batch = inits.map((init) => ({ ...init, leaseToken: init.leaseToken + BigInt(round * 100) }));
      const results = await runtime.assignBatch(batch);
      const sums = await Promise.all(
        results.map((r) => {
          if (r.outcome.case !== "outputs") throw new Error(`round ${round}, lease ${r.leaseToken}: ${JSON.stringify(r.outcome.value)}`);
          return fromLiteral(r.outcome.value.literals.sum!, INT, store);
        }),
      );
      expect(sums).toEqual(inits.map((_, i) => i + 1_000));
    }
  });
});
