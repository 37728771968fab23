// `weir run --input name=@path` end to end: the real CLI uploads a CSV table, a file and a directory
// to a `weir server` child, a `weir worker` child runs the tasks, and each task reports what it saw.
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tableToIPC, tableFromArrays } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ExecutionState, type Execution, type Literal } from "../../proto/index.ts";
import { cleanup, compileProject, prepareProject, runCli, startRuntime, startWorker, tempDir, waitForExecution, type Runtime } from "./harness.ts";

let project: string;
let inputs: string;
let runtime: Runtime;

function scalarOf(lit: Literal | undefined): unknown {
  const v = lit?.value;
  if (v?.case !== "scalar") throw new Error(`not a scalar: ${v?.case}`);
  const s = v.value.value.value;
  return typeof s === "bigint" ? Number(s) : s;
}

function outputs(execution: Execution): Record<string, unknown> {
  return Object.fromEntries(Object.entries(execution.outputs?.literals ?? {}).map(([k, lit]) => [k, scalarOf(lit)]));
}

/** `weir run` through the CLI; the execution it printed, waited on to its end. */
async function run(workflow: string, input: string): Promise<Execution> {
  const result = await runCli(["run", workflow, "--input", input, "--server", runtime.address], project);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  const execution = await waitForExecution(runtime.client, result.stdout.trim());
  expect(execution.state, JSON.stringify(execution.error)).toBe(ExecutionState.SUCCEEDED);
  return execution;
}

async function executionCount(): Promise<number> {
  return (await runtime.client.listExecutions({ limit: 1000 })).executions.length;
}

beforeAll(async () => {
  project = prepareProject("uploads");
  inputs = tempDir("weir-e2e-inputs-");
  const specs = await compileProject(project);
  runtime = await startRuntime({ cwd: project, db: join(tempDir("weir-e2e-db-"), "weir.db") });
  await startWorker(runtime, { cwd: project, id: "w1", runsDir: tempDir("weir-e2e-runs-") });
  for (const name of ["table_rows", "file_digest", "dir_listing"]) {
    const result = await runCli(["register", join(specs, `${name}.pb`), "--server", runtime.address], project);
    expect(result.code, result.stderr).toBe(0);
  }
}, 180_000);

afterAll(cleanup);

describe("weir run --input name=@path", () => {
  test("a CSV is converted to the declared schema, uploaded, and the task sees its rows", async () => {
    const csv = join(inputs, "orders.csv");
    writeFileSync(csv, 'item,qty,note\napple,3,fresh\n"pear, green",4,\nplum,5,x\n');
    const execution = await run("table_rows", `orders=@${csv}`);
    expect(outputs(execution)).toEqual({ rows: 3, total: 12, items: "apple,pear, green,plum" });
  }, 60_000);

  test("an Arrow IPC file is uploaded as is", async () => {
    const arrow = join(inputs, "orders.arrow");
    writeFileSync(arrow, tableToIPC(tableFromArrays({ item: ["fig"], qty: Int32Array.from([7]) }), "file"));
    expect(outputs(await run("table_rows", `orders=@${arrow}`))).toEqual({ rows: 1, total: 7, items: "fig" });
  }, 60_000);

  test("a CSV missing a declared column, or with a wrong type, fails before any execution is created", async () => {
    const before = await executionCount();
    const missing = join(inputs, "missing.csv");
    writeFileSync(missing, "item\napple\n");
    const noQty = await runCli(["run", "table_rows", "--input", `orders=@${missing}`, "--server", runtime.address], project);
    expect(noQty.code).toBe(2);
    expect(noQty.stderr).toContain("missing column 'qty'");
    const wrong = join(inputs, "wrong.csv");
    writeFileSync(wrong, "item,qty\napple,many\n");
    const badQty = await runCli(["run", "table_rows", "--input", `orders=@${wrong}`, "--server", runtime.address], project);
    expect(badQty.code).toBe(2);
    expect(badQty.stderr).toMatch(/orders=@.*wrong.csv: CSV row 2, column 'qty': 'many' is not an integer/);
    expect(await executionCount()).toBe(before);
  }, 60_000);

  test("a file input is uploaded and the task reads identical bytes", async () => {
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 17).map((_, i) => (i * 31) % 253);
    const model = join(inputs, "model.bin");
    writeFileSync(model, bytes);
    const execution = await run("file_digest", `blob=@${model}`);
    expect(outputs(execution).sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
  }, 60_000);

  test("a directory input is uploaded file by file", async () => {
    const folder = join(inputs, "folder");
    mkdirSync(folder);
    writeFileSync(join(folder, "a.txt"), "alpha\n");
    writeFileSync(join(folder, "b.txt"), "beta\n");
    expect(outputs(await run("dir_listing", `folder=@${folder}`)).files).toBe("a.txt=alpha;b.txt=beta");
  }, 60_000);

  test("a bare path still asks for @, and a missing file is named", async () => {
    const bare = await runCli(["run", "file_digest", "--input", "blob=model.bin", "--server", runtime.address], project);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("--input name=@path");
    const gone = await runCli(["run", "file_digest", "--input", `blob=@${join(inputs, "nope.bin")}`, "--server", runtime.address], project);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain("nope.bin");
  }, 60_000);
});
