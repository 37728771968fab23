// Workers without the runtime's disk, end to end: real `weir server` and `weir worker` processes, each
// in a directory of its own. A worker started with `--artifacts remote` runs the ML pipeline (files
// and dataframes flowing between tasks) and a fan-out of many tasks over one large input through
// ArtifactService, with the same outputs as a run on the shared disk; it fetches each blob once; a
// download cut mid-way by a broken connection resumes and the task succeeds. A worker given no flag
// on the runtime's host finds the runtime's store id and reads the disk directly.
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ExecutionState, type Execution, type Literal } from "../../proto/index.ts";
import { partitionCsv } from "../../runtime/cli/demo-data.ts";
import { startCuttingProxy, type CuttingProxy } from "../runtime/artifacts/cutting-proxy.ts";
import {
  E2E_DEFAULTS,
  REPO,
  cleanup,
  compileProject,
  node,
  runCli,
  spawnWeir,
  startRuntime,
  tempDir,
  waitFor,
  waitForExecution,
  type Proc,
  type Runtime,
} from "./harness.ts";

const DAY = "2001-02-03";
const MiB = 1024 * 1024;

// Many tasks reading one large file, and a directory one task makes and the next reads.
const FANOUT = `import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { map, t, task, workflow } from "weir";

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

export const digest = task(
  { name: "digest", inputs: { part: t.int(), blob: t.file() }, outputs: { sha256: t.string(), path: t.string() } },
  ({ blob }) => ({ sha256: sha(readFileSync(blob.path)), path: blob.path }),
);

export const bundle = task({ name: "bundle", inputs: { blob: t.file() }, outputs: { folder: t.dir() } }, ({ blob }, ctx) => {
  const out = join(ctx.workdir, "bundle");
  mkdirSync(join(out, "nested"), { recursive: true });
  const bytes = readFileSync(blob.path);
  writeFileSync(join(out, "size.txt"), String(bytes.length));
  writeFileSync(join(out, "nested", "head.bin"), bytes.subarray(0, 4096));
  return { folder: { path: out } };
});

export const listing = task({ name: "listing", inputs: { folder: t.dir() }, outputs: { files: t.string() } }, ({ folder }) => ({
  files: "size.txt=" + readFileSync(join(folder.path, "size.txt"), "utf8") + ";head=" + sha(readFileSync(join(folder.path, "nested", "head.bin"))),
}));

export const fanout = workflow(
  { name: "fanout", inputs: { blob: t.file(), parts: t.list(t.int()) }, outputs: { digests: t.list(t.string()), paths: t.list(t.string()), files: t.string() } },
  ({ blob, parts }) => {
    const d = map(digest, parts, { blob });
    const b = bundle({ blob });
    const l = listing({ folder: b.folder });
    return { digests: d.sha256, paths: d.path, files: l.files };
  },
);
`;

/** A copy of examples/ml-pipeline plus the fan-out, in a directory of its own ("weir" resolving to this checkout). */
function project(prefix: string): string {
  const dir = tempDir(prefix);
  const source = join(REPO, "examples", "ml-pipeline");
  cpSync(source, dir, { recursive: true, filter: (path) => !/^(data|deployments|\.weir)(\/|$)/.test(relative(source, path)) });
  writeFileSync(join(dir, "fanout.ts"), FANOUT);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "remote-artifacts-e2e", private: true, type: "module" }));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(REPO, join(dir, "node_modules", "weir"));
  for (const dep of ["@types", "csv-parse", "zod"]) symlinkSync(join(REPO, "node_modules", dep), join(dir, "node_modules", dep));
  return dir;
}

/** `weir worker` serving cpu and gpu (one declared device, for train), waited on until the runtime lists it. */
async function startWorker(runtime: Runtime, cwd: string, id: string, extra: string[] = [], server = runtime.address): Promise<Proc> {
  const args = ["worker", "--server", server, "--pool", "cpu", "--pool", "gpu", "--gpus", "1", "--id", id, "--concurrency", "8", ...extra];
  const proc = spawnWeir(args, { cwd });
  await waitFor(
    `worker ${id} to connect`,
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`weir worker exited early: ${proc.output()}`);
      const { workers } = await runtime.client.listWorkers({});
      return workers.some((w) => w.id === id && w.connected);
    },
    E2E_DEFAULTS.startTimeoutMs,
  );
  return proc;
}

async function stopWorker(proc: Proc): Promise<void> {
  proc.kill("SIGTERM");
  await proc.exited();
}

async function register(runtime: Runtime, specs: string, cwd: string): Promise<void> {
  for (const name of ["ml_pipeline", "fanout"]) {
    const r = await runCli(["register", join(specs, `${name}.pb`), "--server", runtime.address], cwd);
    expect(r.code, r.stderr).toBe(0);
  }
}

/** `weir run` through the CLI (uploading any @file input), waited on to its end. */
async function run(runtime: Runtime, cwd: string, workflow: string, inputs: string[]): Promise<Execution> {
  const r = await runCli(["run", workflow, ...inputs.flatMap((i) => ["--input", i]), "--server", runtime.address], cwd);
  expect(r.code, r.stderr).toBe(0);
  const execution = await waitForExecution(runtime.client, r.stdout.trim(), 120_000);
  expect(execution.state, JSON.stringify(execution.error ?? execution.nodes.map((n) => [n.nodeId, n.error?.message]))).toBe(ExecutionState.SUCCEEDED);
  return execution;
}

function value(lit: Literal | undefined): unknown {
  const v = lit?.value;
  if (v?.case === "collection") return v.value.items.map(value);
  if (v?.case === "scalar") return v.value.value.value;
  throw new Error(`not a scalar or list: ${v?.case}`);
}

/** The worker's log lines with this message (pino JSON). */
function logLines(proc: Proc, msg: string): Array<Record<string, unknown>> {
  return proc
    .output()
    .split("\n")
    .filter((line) => line.includes(`"msg":"${msg}"`))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const fetchedShas = (proc: Proc) => logLines(proc, "fetched an artifact from the runtime").map((l) => l.sha256 as string);
const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const bigFile = (dir: string, name: string, size: number, seed: number): { path: string; sha256: string } => {
  const bytes = Buffer.alloc(size).map((_, i) => (i * seed + (i >> 12)) % 251);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, sha256: sha(bytes) };
};

let shared: { runtime: Runtime; runtimeDir: string; workerDir: string; worker: Proc };
let remote: { runtime: Runtime; runtimeDir: string; workerDir: string; worker: Proc };
let inputs: string;

beforeAll(async () => {
  inputs = tempDir("weir-e2e-remote-inputs-");
  const sharedRuntimeDir = project("weir-e2e-shared-runtime-");
  const remoteRuntimeDir = project("weir-e2e-remote-runtime-");
  const specs = await compileProject(sharedRuntimeDir);
  // Two runtimes, each with its artifact root in its own directory: one served by a worker on its
  // disk, one by a worker that moves everything through ArtifactService.
  const [sharedRuntime, remoteRuntime] = await Promise.all([
    startRuntime({ cwd: sharedRuntimeDir, db: join(tempDir("weir-e2e-db-"), "weir.db") }),
    startRuntime({ cwd: remoteRuntimeDir, db: join(tempDir("weir-e2e-db-"), "weir.db") }),
  ]);
  await register(sharedRuntime, specs, sharedRuntimeDir);
  await register(remoteRuntime, specs, remoteRuntimeDir);
  const sharedWorkerDir = project("weir-e2e-shared-worker-");
  const remoteWorkerDir = project("weir-e2e-remote-worker-");
  const [sharedWorker, remoteWorker] = await Promise.all([
    startWorker(sharedRuntime, sharedWorkerDir, "auto"),
    startWorker(remoteRuntime, remoteWorkerDir, "remote", ["--artifacts", "remote"]),
  ]);
  shared = { runtime: sharedRuntime, runtimeDir: sharedRuntimeDir, workerDir: sharedWorkerDir, worker: sharedWorker };
  remote = { runtime: remoteRuntime, runtimeDir: remoteRuntimeDir, workerDir: remoteWorkerDir, worker: remoteWorker };
  // The day's partition lands in each runtime's project, where its sensor looks.
  for (const dir of [sharedRuntimeDir, remoteRuntimeDir]) {
    mkdirSync(join(dir, "data", "incoming", DAY), { recursive: true });
    writeFileSync(join(dir, "data", "incoming", DAY, "data.csv"), partitionCsv(DAY, { rows: 600 }));
  }
}, 240_000);

afterAll(cleanup);

describe("a worker without the runtime's disk", () => {
  test("with no flag on the runtime's host, a worker finds the store id and reads the disk; --artifacts remote never does", async () => {
    // The runtime lists a worker as connected before the worker logs its Registered: wait for the line.
    const registered = (proc: Proc) => waitFor("the worker's registration log line", () => logLines(proc, "registered with the runtime")[0]);
    expect(await registered(shared.worker)).toMatchObject({ artifacts: "shared", artifactRoot: join(shared.runtimeDir, ".weir", "artifacts") });
    expect(await registered(remote.worker)).toMatchObject({ artifacts: "remote", artifactRoot: join(remote.workerDir, ".weir", "artifact-cache") });
  });

  test("runs the ML pipeline through ArtifactService with the outputs of a shared-disk run", async () => {
    // One after the other: two pipelines, two runtimes and two workers at once starve a 2-core box.
    const onDisk = await run(shared.runtime, shared.runtimeDir, "ml_pipeline", [`day=${DAY}`]);
    const remotely = await run(remote.runtime, remote.runtimeDir, "ml_pipeline", [`day=${DAY}`]);
    // Content hashes: the same tables, model and metrics, byte for byte, wherever they were stored.
    for (const step of ["ingest", "clean", "train", "validate"]) {
      const hashes = (e: Execution) => Object.fromEntries(Object.entries(node(e, step).outputs?.literals ?? {}).map(([k, lit]) => [k, lit.hash]));
      expect(hashes(remotely), step).toEqual(hashes(onDisk));
      expect(Object.keys(hashes(onDisk)).length, step).toBeGreaterThan(0);
    }
    expect(value(remotely.outputs?.literals.accuracy)).toBe(value(onDisk.outputs?.literals.accuracy));
    // deploy copied the model it fetched into the worker's own directory.
    const deployed = (dir: string) => readFileSync(join(dir, "deployments", DAY, "model.json"), "utf8");
    expect(deployed(remote.workerDir)).toBe(deployed(shared.workerDir));
    // The remote worker's outputs are in the runtime's store (the Result's refs name it) and in its cache.
    const model = node(remotely, "train").outputs!.literals.model!.value;
    if (model.case !== "blob") throw new Error(`train.model is a ${model.case}`);
    expect(model.value.uri.startsWith(`file://${join(remote.runtimeDir, ".weir", "artifacts")}/`)).toBe(true);
    expect(existsSync(join(remote.workerDir, ".weir", "artifact-cache", "sha256", model.value.sha256.slice(0, 2), model.value.sha256))).toBe(true);
    // The shared-disk worker kept no cache.
    expect(existsSync(join(shared.workerDir, ".weir", "artifact-cache"))).toBe(false);
  }, 240_000);

  test("fetches a large input once for the many tasks that read it, and reads it from its cache", async () => {
    const big = bigFile(inputs, "big.bin", 24 * MiB, 31);
    const parts = Array.from({ length: 12 }, (_, i) => i + 1);
    const execution = await run(remote.runtime, remote.runtimeDir, "fanout", [`blob=@${big.path}`, `parts=${JSON.stringify(parts)}`]);
    const out = execution.outputs!.literals;
    expect(value(out.digests)).toEqual(parts.map(() => big.sha256));
    const cached = join(remote.workerDir, ".weir", "artifact-cache", "sha256", big.sha256.slice(0, 2), big.sha256);
    expect(value(out.paths)).toEqual(parts.map(() => cached));
    const head = readFileSync(big.path).subarray(0, 4096);
    expect(value(out.files)).toBe(`size.txt=${24 * MiB};head=${sha(head)}`);
    // One download of the blob for 13 tasks; no blob fetched twice over the worker's life.
    const fetched = fetchedShas(remote.worker);
    expect(fetched.filter((s) => s === big.sha256)).toHaveLength(1);
    expect(new Set(fetched).size).toBe(fetched.length);
  }, 240_000);

  describe("through a connection that breaks mid-download", () => {
    let proxy: CuttingProxy;
    let proxied: Proc;

    beforeAll(async () => {
      // The remote worker hands over to one that reaches the runtime through a proxy the test cuts,
      // with a fresh cache (--artifact-cache), so it must download.
      await stopWorker(remote.worker);
      proxy = await startCuttingProxy(remote.runtime.address);
      const cache = join(tempDir("weir-e2e-cache-"), "blobs");
      proxied = await startWorker(remote.runtime, remote.workerDir, "proxied", ["--artifacts", "remote", "--artifact-cache", cache], proxy.address);
    }, 120_000);

    afterAll(() => proxy?.close());

    test("resumes the download from the bytes it had and the task succeeds", async () => {
      const big = bigFile(inputs, "bigger.bin", 32 * MiB, 37);
      proxy.cutAfter(8 * MiB);
      const execution = await run(remote.runtime, remote.runtimeDir, "fanout", [`blob=@${big.path}`, "parts=[1,2]"]);
      expect(value(execution.outputs!.literals.digests)).toEqual([big.sha256, big.sha256]);
      expect(proxy.cuts).toBe(1);
      const resumed = logLines(proxied, "artifact download broke; resuming").filter((l) => l.sha256 === big.sha256);
      expect(resumed.length).toBeGreaterThanOrEqual(1);
      expect(resumed[0]!.offset).toBeGreaterThan(0);
      expect(resumed[0]!.offset).toBeLessThan(32 * MiB);
      expect(fetchedShas(proxied).filter((s) => s === big.sha256)).toHaveLength(1);
    }, 240_000);
  });
});
