// What the browser suite drives: a real `weir server` (SQLite, gRPC and HTTP on free ports, the UI
// built by ui/'s buildUi) and real `weir worker`s, on copies of the ML pipeline example (pools cpu
// and gpu, one declared GPU) and of test/fixtures/ui/project (pool ui), their specs compiled by the
// real compiler and registered. Processes come from test/e2e/harness.ts and die in its cleanup().
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { connectAdmin, type AdminClient } from "../../runtime/client.ts";
import { CompiledWorkflowSchema } from "../../proto/index.ts";
import { E2E_DEFAULTS, REPO, type Proc, runCli, spawnWeir, tempDir, waitFor } from "../e2e/harness.ts";

export interface UiStack {
  /** The page's origin, `http://127.0.0.1:<port>`. */
  url: string;
  /** The gRPC address. */
  address: string;
  client: AdminClient;
  server: Proc;
  /** The copy of examples/ml-pipeline the runtime's sensors and the ML worker use. */
  mlProject: string;
}

/** Packages the ML pipeline's tasks import besides weir (its copy resolves them from this checkout). */
const ML_PACKAGES = ["zod", "csv-parse", "@types"];

/** A copy of a project in a temp dir whose node_modules resolve `weir` (and `packages`) to this checkout. */
export function copyProject(from: string, packages: readonly string[] = ["@types"]): string {
  const dir = tempDir("weir-ui-project-");
  cpSync(from, dir, { recursive: true, filter: (src) => !/\/(\.weir|data|deployments|node_modules)$/.test(src) });
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(REPO, join(dir, "node_modules", "weir"));
  for (const p of packages) symlinkSync(join(REPO, "node_modules", p), join(dir, "node_modules", p));
  // In place, the example is an ES module by weir's own package.json; its copy says so itself (as
  // CommonJS it would load a second apache-arrow, whose tables the worker's does not recognise).
  if (!existsSync(join(dir, "package.json"))) writeFileSync(join(dir, "package.json"), '{ "private": true, "type": "module" }\n');
  return dir;
}

async function compile(project: string): Promise<Uint8Array[]> {
  const out = join(project, ".weir", "compiled");
  const r = await runCli(["compile", project, "--out", out], project);
  if (r.code !== 0) throw new Error(`weir compile ${project} failed:\n${r.stdout}\n${r.stderr}`);
  return readdirSync(out)
    .filter((f) => f.endsWith(".pb"))
    .map((f) => readFileSync(join(out, f)));
}

/** `weir server --port 0 --http 0`, waited on until it has logged both addresses. */
export async function startServer(options: {
  cwd: string;
  project: string;
  env?: Record<string, string>;
}): Promise<{ proc: Proc; address: string; url: string }> {
  const proc = spawnWeir(
    [
      "server",
      "--store",
      `sqlite:${join(options.cwd, "weir.db")}`,
      "--port",
      "0",
      "--http",
      "0",
      "--artifacts",
      join(options.cwd, "artifacts"),
      "--project",
      options.project,
    ],
    { cwd: options.cwd, env: options.env },
  );
  return waitFor(
    "weir server to log its gRPC and HTTP addresses",
    () => {
      if (proc.child.exitCode !== null) throw new Error(`weir server exited early:\n${proc.output()}`);
      const grpc = /weir runtime listening on (\S+)/.exec(proc.output());
      const http = /weir UI: (http:\/\/\S+?)\/? /.exec(proc.output());
      return grpc && http ? { proc, address: grpc[1]!, url: http[1]! } : undefined;
    },
    E2E_DEFAULTS.startTimeoutMs,
  );
}

function startWorker(address: string, cwd: string, id: string, args: string[]): Proc {
  return spawnWeir(["worker", "--server", address, "--id", id, ...args], { cwd });
}

export async function startUiStack(): Promise<UiStack> {
  const home = tempDir("weir-ui-");
  const mlProject = copyProject(join(REPO, "examples", "ml-pipeline"), ML_PACKAGES);
  const fixture = copyProject(join(REPO, "test", "fixtures", "ui", "project"));
  // The compiles, the UI's build (cached after the first) and the runtime's start overlap.
  const [mlSpecs, fixtureSpecs, server] = await Promise.all([
    compile(mlProject),
    compile(fixture),
    startServer({ cwd: home, project: mlProject }),
    import("../../ui/index.ts").then((ui) => ui.buildUi()),
  ]);
  const client = connectAdmin(server.address, { deadlineMs: 30_000 });
  for (const bytes of [...mlSpecs, ...fixtureSpecs]) await client.registerWorkflow({ spec: fromBinary(CompiledWorkflowSchema, bytes) });
  startWorker(server.address, mlProject, "ml-worker", ["--pool", "cpu", "--pool", "gpu", "--gpus", "1", "--gpu-name", "declared GPU", "--concurrency", "4"]);
  startWorker(server.address, fixture, "ui-worker", ["--pool", "ui", "--concurrency", "64", "--threads", "2"]);
  await waitFor(
    "both workers to connect",
    async () => {
      const { workers } = await client.listWorkers({});
      return workers.filter((w) => w.connected).length === 2;
    },
    E2E_DEFAULTS.startTimeoutMs,
  );
  return { url: server.url, address: server.address, client, server: server.proc, mlProject };
}
