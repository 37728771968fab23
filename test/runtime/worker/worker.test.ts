import { cpSync, mkdirSync, mkdtempSync, appendFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { create } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { pino } from "pino";
import { tableFromArrays } from "apache-arrow";
import type { Table } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArrowTypeId, ErrorKind, LiteralTypeSchema, SimpleType, TaskTemplateSchema, TypedInterfaceSchema } from "../../../proto/index.ts";
import type { Literal, LiteralType, Result } from "../../../proto/index.ts";
import { taskCodeHash, taskVersion } from "../../../core/index.ts";
import { LocalArtifactStore } from "../../../runtime/artifacts/index.ts";
import { Worker } from "../../../runtime/worker/index.ts";
import { fromLiteral, toLiteral } from "../../../sdk/literals.ts";
import { RuntimeDouble } from "./runtime-double.ts";

const REPO = resolve(import.meta.dirname, "../../..");
const lt = (type: MessageInitShape<typeof LiteralTypeSchema>["type"]): LiteralType => create(LiteralTypeSchema, { type });
const INT = lt({ case: "simple", value: SimpleType.INTEGER });
const STRING = lt({ case: "simple", value: SimpleType.STRING });
const PEOPLE = lt({
  case: "dataframe",
  value: {
    format: "arrow",
    columns: [
      { name: "name", type: { id: ArrowTypeId.UTF8 } },
      { name: "age", type: { id: ArrowTypeId.INT, bitWidth: 64, signed: true } },
    ],
  },
});

let project: string;
let runtime: RuntimeDouble;
let worker: Worker;
let store: LocalArtifactStore;
let lease = 0n;

// A copy of the fixture project whose `weir` and `apache-arrow` imports resolve to this checkout.
function makeProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "weir-worker-"));
  cpSync(join(REPO, "test/fixtures/worker"), dir, { recursive: true });
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(REPO, join(dir, "node_modules", "weir"));
  symlinkSync(join(REPO, "node_modules", "apache-arrow"), join(dir, "node_modules", "apache-arrow"));
  return dir;
}

function tsTask(exportName: string, inputs: Record<string, LiteralType>, outputs: Record<string, LiteralType>) {
  const iface = create(TypedInterfaceSchema, {
    inputs: Object.entries(inputs).map(([name, type]) => ({ name, type })),
    outputs: Object.entries(outputs).map(([name, type]) => ({ name, type })),
  });
  const version = taskVersion(iface, taskCodeHash(project, "src/tasks.ts", exportName));
  return create(TaskTemplateSchema, { name: exportName, version, interface: iface, runtime: { case: "node", value: { module: "src/tasks.ts", exportName } } });
}

function commandTask(inputs: Record<string, LiteralType>, outputs: Record<string, LiteralType>, script: string) {
  const iface = create(TypedInterfaceSchema, {
    inputs: Object.entries(inputs).map(([name, type]) => ({ name, type })),
    outputs: Object.entries(outputs).map(([name, type]) => ({ name, type })),
  });
  return create(TaskTemplateSchema, {
    name: script,
    interface: iface,
    runtime: { case: "command", value: { command: ["python3", join(project, "scripts", script)] } },
  });
}

function assign(task: ReturnType<typeof tsTask>, inputs: Record<string, Literal> = {}, extra: { gpus?: number[]; deadline?: Timestamp } = {}) {
  lease += 1n;
  return runtime.assign({
    leaseToken: lease,
    executionId: "ex-1",
    nodeId: `n${lease}`,
    attempt: 1,
    task,
    inputs: { literals: inputs },
    gpus: extra.gpus,
    deadline: extra.deadline,
  });
}

function errorOf(result: Result) {
  if (result.outcome.case !== "error") throw new Error(`expected an error, got ${result.outcome.case}`);
  return result.outcome.value;
}

async function output(result: Result, name: string, type: LiteralType): Promise<unknown> {
  if (result.outcome.case !== "outputs") throw new Error(`expected outputs, got ${JSON.stringify(result.outcome.value)}`);
  return fromLiteral(result.outcome.value.literals[name], type, store);
}

beforeAll(async () => {
  project = makeProject();
  runtime = new RuntimeDouble(join(project, "artifacts"));
  await runtime.listen();
  store = new LocalArtifactStore(join(project, "artifacts"));
  worker = new Worker({
    server: `127.0.0.1:${runtime.port}`,
    id: "w-test",
    projectRoot: project,
    concurrency: 16,
    threads: 2,
    killGraceMs: 300,
    gpus: 2,
    reconnectInitialMs: 50,
    logger: pino({ level: "warn" }),
  });
  await worker.start();
});

afterAll(async () => {
  await worker.stop(0);
  runtime.stop();
});

describe("worker", () => {
  it("registers with its pools, capacity, declared GPUs and project root", () => {
    const reg = runtime.registers[0];
    expect(reg.workerId).toBe("w-test");
    expect(reg.pools).toEqual(["cpu"]);
    expect(reg.capacity).toBe(16);
    expect(reg.gpus.map((g) => g.index)).toEqual([0, 1]);
    expect(reg.projectRoot).toBe(project);
  });

  it("runs a TypeScript task and returns its outputs, with its log lines", async () => {
    const result = await assign(tsTask("add", { a: INT, b: INT }, { sum: INT }), {
      a: await toLiteral(2, INT, store),
      b: await toLiteral(40, INT, store),
    });
    expect(await output(result, "sum", INT)).toBe(42);
    expect(result.startedAt && result.finishedAt).toBeTruthy();
    expect(runtime.logs.some((l) => l.leaseToken === result.leaseToken && l.stream === "task" && l.text === "adding 2 and 40")).toBe(true);
  });

  it("answers an Assign sent again for a finished lease with the Result it kept, without running the task again", async () => {
    const task = tsTask("add", { a: INT, b: INT }, { sum: INT });
    const inputs = { a: await toLiteral(3, INT, store), b: await toLiteral(4, INT, store) };
    const first = await assign(task, inputs);
    runtime.forget(first.leaseToken);
    const again = await runtime.assign({
      leaseToken: first.leaseToken,
      executionId: "ex-1",
      nodeId: `n${first.leaseToken}`,
      attempt: 1,
      task,
      inputs: { literals: inputs },
    });
    expect(await output(again, "sum", INT)).toBe(7);
    expect(again.startedAt).toEqual(first.startedAt);
    expect(runtime.logs.filter((l) => l.leaseToken === first.leaseToken && l.text === "adding 3 and 4")).toHaveLength(1);
  });

  it("runs a TypeScript task given GPUs in its own process, twice (the template travels to each process)", async () => {
    const task = tsTask("add", { a: INT, b: INT }, { sum: INT });
    for (const [a, b] of [
      [2, 3],
      [10, 20],
    ]) {
      const result = await assign(task, { a: await toLiteral(a, INT, store), b: await toLiteral(b, INT, store) }, { gpus: [1] });
      expect(await output(result, "sum", INT)).toBe(a + b);
    }
  });

  it("reports a task that throws as TASK_FAILED with its message and stack", async () => {
    const error = errorOf(await assign(tsTask("boom", {}, { n: INT })));
    expect(error.code).toBe("TASK_FAILED");
    expect(error.kind).toBe(ErrorKind.USER);
    expect(error.message).toContain("kaboom: the input file was empty");
    expect(error.message).toMatch(/at .*tasks\.ts/);
  });

  it("refuses a table missing a declared column with OUTPUT_INVALID naming it", async () => {
    const people = lt({
      case: "dataframe",
      value: {
        format: "arrow",
        columns: [
          { name: "name", type: { id: ArrowTypeId.UTF8 } },
          { name: "age", type: { id: ArrowTypeId.INT, bitWidth: 32, signed: true } },
        ],
      },
    });
    const error = errorOf(await assign(tsTask("liar", {}, { people })));
    expect(error.code).toBe("OUTPUT_INVALID");
    expect(error.message).toContain("output 'people': missing column 'age' (int32)");
  });

  it("runs a python command task: inputs.json and CSV in, outputs.json and CSV out", async () => {
    const people = tableFromArrays({ name: ["ada", "bob"], age: BigInt64Array.from([36n, 41n]) });
    const task = commandTask({ n: INT, people: PEOPLE }, { doubled: INT, older: PEOPLE, cuda: STRING }, "double.py");
    const result = await assign(task, { n: await toLiteral(5, INT, store), people: await toLiteral(people, PEOPLE, store) }, { gpus: [1] });
    expect(await output(result, "doubled", INT)).toBe(10);
    expect(await output(result, "cuda", STRING)).toBe("1");
    const older = (await output(result, "older", PEOPLE)) as Table;
    expect(older.getChild("name")?.toArray()).toEqual(["ada", "bob"]);
    expect(Array.from(older.getChild("age")!.toArray() as BigInt64Array)).toEqual([41n, 46n]);
    expect(runtime.logs.some((l) => l.leaseToken === result.leaseToken && l.stream === "stdout" && l.text === "n is 5")).toBe(true);
  });

  it("reports a non-zero exit as COMMAND_FAILED with the code and the stderr tail", async () => {
    const error = errorOf(await assign(commandTask({}, {}, "fail.py")));
    expect(error.code).toBe("COMMAND_FAILED");
    expect(error.message).toContain("exited with code 3");
    expect(error.message).toContain("about to fail");
  });

  it("cancels a running task, terminating a thread that ignores the signal, and keeps working", async () => {
    const task = tsTask("spin", {}, { n: INT });
    lease += 1n;
    const spinning = runtime.assign({ leaseToken: lease, executionId: "ex-1", nodeId: "spin", attempt: 1, task });
    await new Promise((r) => setTimeout(r, 300));
    runtime.cancel(lease);
    const error = errorOf(await spinning);
    expect(error.code).toBe("CANCELLED");
    await new Promise((r) => setTimeout(r, 500));
    const after = await assign(tsTask("add", { a: INT, b: INT }, { sum: INT }), { a: await toLiteral(1, INT, store), b: await toLiteral(1, INT, store) });
    expect(await output(after, "sum", INT)).toBe(2);
  });

  it("stops an attempt whose deadline passes with TIMED_OUT", async () => {
    const result = await assign(
      tsTask("slow", { ms: INT }, { waited: INT }),
      { ms: await toLiteral(5_000, INT, store) },
      {
        deadline: timestampFromDate(new Date(Date.now() + 200)),
      },
    );
    expect(errorOf(result).code).toBe("TIMED_OUT");
  });

  it("refuses a task whose code changed since it was compiled with CODE_HASH_MISMATCH", async () => {
    const task = tsTask("add", { a: INT, b: INT }, { sum: INT });
    appendFileSync(join(project, "src/tasks.ts"), "\nexport const addedLater = 1;\n");
    await new Promise((r) => setTimeout(r, 1_100)); // past the worker's recheck interval
    const error = errorOf(await assign(task, { a: await toLiteral(1, INT, store), b: await toLiteral(1, INT, store) }));
    expect(error.code).toBe("CODE_HASH_MISMATCH");
    expect(error.message).toContain("task 'add' in src/tasks.ts changed since it was compiled");
    expect(error.message).toContain("run `weir compile` and `weir register` again");
    // Recompiled: runs again.
    const fresh = await assign(tsTask("add", { a: INT, b: INT }, { sum: INT }), { a: await toLiteral(3, INT, store), b: await toLiteral(4, INT, store) });
    expect(await output(fresh, "sum", INT)).toBe(7);
  });

  it("runs every attempt of an AssignBatch and answers each lease with its own result", async () => {
    const add = tsTask("add", { a: INT, b: INT }, { sum: INT });
    const inits = [];
    for (let i = 1; i <= 6; i++) {
      lease += 1n;
      inits.push({
        leaseToken: lease,
        executionId: "ex-batch",
        nodeId: `b${i}`,
        attempt: 1,
        task: add,
        inputs: { literals: { a: await toLiteral(i, INT, store), b: await toLiteral(10, INT, store) } },
      });
    }
    const results = await runtime.assignBatch(inits);
    expect(results.map((r) => r.leaseToken)).toEqual(inits.map((i) => i.leaseToken));
    expect(await Promise.all(results.map((r) => output(r, "sum", INT)))).toEqual([11, 12, 13, 14, 15, 16]);
    expect(runtime.registers.at(-1)!.acceptsAssignBatch).toBe(true);
  });

  it("reconnects after the runtime restarts and delivers a running attempt's result on the new stream", async () => {
    const slow = tsTask("slow", { ms: INT }, { waited: INT });
    lease += 1n;
    const token = lease;
    void runtime.assign({
      leaseToken: token,
      executionId: "ex-2",
      nodeId: "slow",
      attempt: 1,
      task: slow,
      inputs: { literals: { ms: await toLiteral(800, INT, store) } },
    });
    await new Promise((r) => setTimeout(r, 100));
    const port = runtime.port;
    runtime.stop();
    runtime = new RuntimeDouble(join(project, "artifacts"));
    await runtime.listen(port);
    await runtime.waitForRegister(1);
    expect(runtime.registers[0].workerId).toBe("w-test");
    const result = await runtime.result(token);
    expect(await output(result, "waited", INT)).toBe(800);
  });
});
