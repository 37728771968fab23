// Replicas, end to end: three `weir server` processes on one PostgreSQL database and two workers
// whose directories share nothing with the runtimes' artifact store (`--artifacts remote`), each
// given every replica's address. 2,000 tasks (three 500-item maps, fifty chains of ten) while
// replicas are SIGKILLed and restarted: every execution succeeds with the right outputs, no node is
// lost, no task body runs again after its success was recorded, a schedule every 2 s fires each
// tick once across the replicas, and each killed replica's epoch is deposed. Then a replica cut off
// from the database stops driving before another adopts its executions.
import { appendFileSync, cpSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { ExecutionState, NodeState, type Execution, type Literal } from "../../proto/index.ts";
import { connectAdmin, type AdminClient } from "../../runtime/client.ts";
import { startCuttingProxy } from "../runtime/artifacts/cutting-proxy.ts";
import { createTestDatabase, queryDatabase, TEST_POSTGRES, type TestDatabase } from "../runtime/store/postgres-databases.ts";
import { E2E_DEFAULTS, REPO, TEST_STORE, cleanup, compileProject, freePort, runCli, spawnWeir, tempDir, waitFor, type Proc } from "./harness.ts";

const MAPS = 3;
const MAP_ITEMS = 500;
const CHAINS = 50;
const CHAIN_LINKS = 10;
const KILLS = 3;

const databases: TestDatabase[] = [];
afterAll(async () => {
  await cleanup();
  for (const d of databases) await d.drop();
});

function projectCopy(dir: string): string {
  cpSync(join(REPO, "test", "fixtures", "e2e", "replicas"), dir, { recursive: true });
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(REPO, join(dir, "node_modules", "weir"));
  symlinkSync(join(REPO, "node_modules", "@types"), join(dir, "node_modules", "@types"));
  return dir;
}

interface Replica {
  readonly port: number;
  readonly address: string;
  proc: Proc;
  client: AdminClient;
}

/** Starts (or restarts, on its port) a replica and waits until it answers. */
async function startReplica(project: string, store: string, port: number, previous?: Replica): Promise<Replica> {
  const proc = spawnWeir(["server", "--store", store, "--port", String(port), "--artifacts", join(project, ".weir", "artifacts")], { cwd: project });
  const address = `127.0.0.1:${port}`;
  const client = previous?.client ?? connectAdmin(address, { deadlineMs: 10_000 });
  await waitFor(
    `replica ${address} to answer`,
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`weir server exited early: ${proc.output()}`);
      await client.listWorkers({}, { deadlineMs: 1_000 });
      return true;
    },
    E2E_DEFAULTS.startTimeoutMs,
  );
  return { port, address, proc, client };
}

const intOf = (lit: Literal | undefined): bigint | undefined =>
  lit?.value.case === "scalar" && lit.value.value.value.case === "integer" ? lit.value.value.value.value : undefined;

const ms = (t: { seconds: bigint; nanos: number } | undefined): number => (t ? Number(t.seconds) * 1000 + Math.floor(t.nanos / 1e6) : 0);

interface BodyRun {
  execution: string;
  node: string;
  attempt: number;
  at: number;
}

function bodyRuns(file: string): BodyRun[] {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [execution, node, attempt, at] = line.split(" ");
      return { execution: execution!, node: node!, attempt: Number(attempt), at: Number(at) };
    });
}

/** A runtime's JSON log lines carrying `message`. */
function logged(output: string, message: string): Array<{ time: number } & Record<string, unknown>> {
  const lines: Array<{ time: number } & Record<string, unknown>> = [];
  for (const line of output.split("\n")) {
    if (!line.includes(message)) continue;
    try {
      lines.push(JSON.parse(line));
    } catch {
      // Not a JSON log line.
    }
  }
  return lines;
}

/** Times (epoch ms) at which a runtime logged `message`. */
const loggedAt = (output: string, message: string): number[] => logged(output, message).map((l) => Number(l.time));

describe.skipIf(TEST_STORE !== "postgres")("replicas on one PostgreSQL (this suite runs in the e2e-postgres project)", () => {
  test("three replicas, SIGKILLed and restarted during 2,000 tasks: nothing lost, nothing run again, each tick once", async () => {
    const db = await createTestDatabase();
    databases.push(db);
    const dir = tempDir("weir-replicas-");
    const project = projectCopy(join(dir, "runtime"));
    const specs = await compileProject(project);
    const log = join(dir, "side-effects.log");
    appendFileSync(log, "");

    const ports = [await freePort(), await freePort(), await freePort()];
    const replicas: Replica[] = [];
    for (const port of ports) replicas.push(await startReplica(project, db.url, port));
    const addresses = replicas.map((r) => r.address);
    for (const name of ["fan", "chain", "tick"]) {
      const registered = await runCli(["register", join(specs, `${name}.pb`), "--server", addresses[0]!], project);
      expect(registered.code, registered.stderr).toBe(0);
    }
    const tickFrom = Date.now();
    // Two workers, each in a directory of its own, each with every replica (starting at a different one).
    const workers: Proc[] = [];
    for (const [i, order] of [addresses, [addresses[1]!, addresses[2]!, addresses[0]!]].entries()) {
      const workDir = projectCopy(join(dir, `worker${i + 1}`));
      workers.push(
        spawnWeir(["worker", "--server", order.join(","), "--id", `w${i + 1}`, "--concurrency", "4", "--artifacts", "remote"], {
          cwd: workDir,
          env: { WEIR_REPLICAS_LOG: log },
        }),
      );
    }
    await waitFor("both workers to connect", async () => {
      const { workers: listed } = await replicas[2]!.client.listWorkers({});
      return listed.filter((w) => w.connected).length === 2;
    });

    // Created through every replica, one without workers included (it leaves them for a claim).
    const ids: { id: string; kind: "fan" | "chain"; x: number }[] = [];
    for (let i = 0; i < MAPS; i++) {
      const items = Array.from({ length: MAP_ITEMS }, (_, k) => BigInt(k));
      const { execution } = await replicas[i % 3]!.client.createExecution({
        workflow: "fan",
        inputs: {
          literals: {
            items: {
              value: {
                case: "collection",
                value: { items: items.map((v) => ({ value: { case: "scalar", value: { value: { case: "integer", value: v } } } })) },
              },
            },
          },
        },
      });
      ids.push({ id: execution!.id, kind: "fan", x: 0 });
    }
    for (let i = 0; i < CHAINS; i++) {
      const { execution } = await replicas[i % 3]!.client.createExecution({
        workflow: "chain",
        inputs: { literals: { x: { value: { case: "scalar", value: { value: { case: "integer", value: BigInt(i) } } } } } },
      });
      ids.push({ id: execution!.id, kind: "chain", x: i });
    }

    // The first success each node showed, per execution, before each kill (a later body is a rerun).
    const shown = new Map<string, number>();
    const observe = async (client: AdminClient): Promise<void> => {
      const now = Date.now();
      for (const { id } of ids) {
        const { execution } = await client.getExecution({ id });
        for (const n of execution?.nodes ?? []) if (n.state === NodeState.SUCCEEDED && !shown.has(`${id} ${n.nodeId}`)) shown.set(`${id} ${n.nodeId}`, now);
      }
    };

    const kills: { at: number; epoch: string }[] = [];
    const outputs: string[] = [];
    const total = MAPS * MAP_ITEMS + CHAINS * CHAIN_LINKS;
    for (let k = 0; k < KILLS; k++) {
      const victim = k % 3;
      const survivor = replicas[(victim + 1) % 3]!;
      await waitFor(`bodies to progress before kill ${k + 1}`, async () => bodyRuns(log).length >= ((k + 1) * total) / (KILLS + 2), 120_000);
      await observe(survivor.client);
      const epoch = String(logged(replicas[victim]!.proc.output(), "joined the replicas")[0]?.epoch);
      const at = Date.now();
      replicas[victim]!.proc.kill("SIGKILL");
      await replicas[victim]!.proc.exited();
      kills.push({ at, epoch });
      outputs.push(replicas[victim]!.proc.output());
      replicas[victim] = await startReplica(project, db.url, replicas[victim]!.port, replicas[victim]);
    }

    // Every execution ends, seen from any replica.
    const finals = new Map<string, Execution>();
    for (const { id } of ids) {
      const e = await waitFor(
        `execution ${id} to end`,
        async () => {
          const { execution } = await replicas[(finals.size + 1) % 3]!.client.getExecution({ id });
          return execution && execution.state !== ExecutionState.RUNNING && execution.state !== ExecutionState.QUEUED ? execution : undefined;
        },
        240_000,
      );
      finals.set(id, e);
    }
    const ticksUntil = Date.now();

    const lost: string[] = [];
    for (const { id, kind, x } of ids) {
      const e = finals.get(id)!;
      if (e.state !== ExecutionState.SUCCEEDED) lost.push(`${id}: ${ExecutionState[e.state]} ${e.error?.message ?? ""}`);
      if (kind === "fan") {
        const ys = e.outputs?.literals.ys;
        const items = ys?.value.case === "collection" ? ys.value.value.items : [];
        for (let i = 0; i < MAP_ITEMS; i++) if (intOf(items[i]) !== BigInt(i * 3 + 1)) lost.push(`${id} work[${i}]`);
      } else {
        let y = BigInt(x);
        for (let i = 0; i < CHAIN_LINKS; i++) y = y * 3n + 1n;
        if (intOf(e.outputs?.literals.y) !== y) lost.push(`${id} y`);
      }
    }
    expect(lost).toEqual([]);

    // No body completed after its node's success was recorded (shown before a kill, or committed).
    const reruns: string[] = [];
    const byNode = new Map<string, BodyRun[]>();
    for (const b of bodyRuns(log)) byNode.set(`${b.execution} ${b.node}`, [...(byNode.get(`${b.execution} ${b.node}`) ?? []), b]);
    for (const { id } of ids) {
      for (const n of finals.get(id)!.nodes) {
        const won = n.attempts.find((a) => a.state === NodeState.SUCCEEDED);
        if (!won) continue;
        const recorded = Math.min(shown.get(`${id} ${n.nodeId}`) ?? Number.POSITIVE_INFINITY, ms(won.finishedAt));
        let own = false;
        for (const run of (byNode.get(`${id} ${n.nodeId}`) ?? []).sort((a, b) => a.at - b.at)) {
          if (run.attempt === won.number && !own) own = true;
          else if (run.at > recorded + 5) reruns.push(`${id} ${n.nodeId} attempt ${run.attempt} at +${run.at - recorded} ms`);
        }
      }
    }
    expect(reruns).toEqual([]);
    const bodies = bodyRuns(log).filter((b) => ids.some((i) => i.id === b.execution)).length;

    // The schedule: each 2 s tick once, none missing between the first and the last.
    const { executions: tickRuns } = await replicas[0]!.client.listExecutions({ workflow: "tick", limit: 1_000 });
    const ticks = tickRuns.map((e) => ms(e.scheduledFor)).sort((a, b) => a - b);
    expect(new Set(ticks).size).toBe(ticks.length);
    for (let i = 1; i < ticks.length; i++) expect(ticks[i]! - ticks[i - 1]!).toBe(2_000);
    expect(ticks.length).toBeGreaterThanOrEqual(Math.floor((ticksUntil - tickFrom) / 2_000) - 3);
    // One tick run at a time (maxActiveRuns 1), though replicas were killed under them: the leader drives them all.
    const spans = tickRuns
      .filter((e) => e.startedAt)
      .map((e) => [ms(e.startedAt), e.finishedAt ? ms(e.finishedAt) : Number.POSITIVE_INFINITY] as const)
      .sort((p, q) => p[0] - q[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
    const tickBodies = bodyRuns(log).filter((b) => tickRuns.some((e) => e.id === b.execution));
    expect(tickBodies.length).toBeGreaterThanOrEqual(tickRuns.filter((e) => e.state === ExecutionState.SUCCEEDED).length);

    // Each killed incarnation was deposed; how soon its executions were driven again.
    const rows = await queryDatabase<{ deposed: boolean }>(db, "SELECT deposed FROM replicas ORDER BY epoch");
    expect(rows.filter((r) => r.deposed).length).toBeGreaterThanOrEqual(KILLS);
    // Each kill's epoch: when a live replica deposed it, and when it next loaded executions.
    const all = [...outputs, ...replicas.map((r) => r.proc.output())];
    const depositions = all.flatMap((o) => logged(o, "deposed replicas whose lease lapsed"));
    const adoptions = all.flatMap((o) => loggedAt(o, "replica now drives executions adopted or claimed"));
    const deposedAt = kills.map((k) => Math.min(...depositions.filter((d) => (d.epochs as string[]).includes(k.epoch)).map((d) => d.time)));
    const deposedAfter = kills.map((k, i) => deposedAt[i]! - k.at);
    const adoptedAfter = kills.map((k, i) => Math.min(...adoptions.filter((t) => t >= deposedAt[i]!)) - k.at);
    process.stdout.write(
      `replicas: ${ids.length} executions, ${total} tasks, ${bodies} bodies run, ${KILLS} replica SIGKILLs; ` +
        `deposed ${deposedAfter.map((a) => `${a} ms`).join(", ")} and work adopted ${adoptedAfter.map((a) => `${a} ms`).join(", ")} after each kill; ` +
        `${ticks.length} ticks, each once\n`,
    );
    for (const d of deposedAfter) expect(d).toBeLessThan(10_000);
    for (const a of adoptedAfter) expect(a).toBeLessThan(15_000);

    for (const w of workers) w.kill("SIGTERM");
    for (const r of replicas) r.client.close();
  }, 600_000);

  test("an idle worker of one replica moves to the replica where work waits, and both workers run its map; watch and terminate work through the other replica", async () => {
    const db = await createTestDatabase();
    databases.push(db);
    const dir = tempDir("weir-lend-");
    const project = projectCopy(join(dir, "runtime"));
    const specs = await compileProject(project);
    const log = join(dir, "side-effects.log");
    appendFileSync(log, "");
    const a = await startReplica(project, db.url, await freePort());
    const b = await startReplica(project, db.url, await freePort());
    const registered = await runCli(["register", join(specs, "fan.pb"), "--server", a.address], project);
    expect(registered.code, registered.stderr).toBe(0);
    const workers = ["a", "b"].map((w, i) =>
      spawnWeir(["worker", "--server", i === 0 ? `${a.address},${b.address}` : `${b.address},${a.address}`, "--id", `w-${w}`, "--concurrency", "2"], {
        cwd: projectCopy(join(dir, `worker-${w}`)),
        env: { WEIR_REPLICAS_LOG: log },
      }),
    );
    await waitFor("each replica to have its worker", async () => {
      const { workers: listed } = await a.client.listWorkers({});
      return listed.filter((w) => w.connected).length === 2;
    });
    const items = Array.from({ length: 400 }, (_, k) => ({
      value: { case: "scalar" as const, value: { value: { case: "integer" as const, value: BigInt(k) } } },
    }));
    const createdAt = Date.now();
    const { execution } = await a.client.createExecution({
      workflow: "fan",
      inputs: { literals: { items: { value: { case: "collection", value: { items } } } } },
    });
    // Watched through B, which does not drive it: B passes on A's live stream.
    let nodeEvents = 0;
    let last: Execution | undefined;
    const watched = (async () => {
      for await (const ev of b.client.watchExecution({ id: execution!.id })) {
        nodeEvents += ev.nodes.length;
        if (ev.snapshot) last = ev.snapshot;
      }
    })();
    const done = await waitFor(
      "the map to finish",
      async () => {
        const { execution: e } = await b.client.getExecution({ id: execution!.id });
        return e && e.state === ExecutionState.SUCCEEDED ? e : undefined;
      },
      120_000,
    );
    await watched;
    expect(last?.state).toBe(ExecutionState.SUCCEEDED);
    expect(nodeEvents).toBeGreaterThan(0);
    // Terminated through B: B passes it to A, which drives it.
    const { execution: second } = await a.client.createExecution({
      workflow: "fan",
      inputs: { literals: { items: { value: { case: "collection", value: { items } } } } },
    });
    await b.client.terminateExecution({ id: second!.id, reason: "through the other replica" });
    const stopped = await waitFor("the second map to be terminated", async () => {
      const { execution: e } = await a.client.getExecution({ id: second!.id });
      return e && e.state === ExecutionState.TERMINATED ? e : undefined;
    });
    expect(stopped.state).toBe(ExecutionState.TERMINATED);
    // Both workers ran the first map's items: the one B lent came to A.
    const ran = bodyRuns(log).filter((r) => r.execution === done.id);
    const byWorker = new Map<string, number>();
    for (const n of done.nodes) for (const at of n.attempts) if (at.workerId) byWorker.set(at.workerId, (byWorker.get(at.workerId) ?? 0) + 1);
    expect([...byWorker.keys()].sort()).toEqual(["w-a", "w-b"]);
    expect(ran.length).toBe(400);
    const moved = loggedAt(b.proc.output(), "idle worker sent to the replica where work waits");
    expect(moved.length).toBeGreaterThan(0);
    process.stdout.write(
      `lend: the idle worker left its replica ${Math.min(...moved) - createdAt} ms after the map was created; items per worker ${JSON.stringify(Object.fromEntries(byWorker))}\n`,
    );
    for (const w of workers) w.kill("SIGTERM");
    a.client.close();
    b.client.close();
  }, 240_000);

  test("with no worker on any replica an execution waits unowned, and terminate takes it over", async () => {
    const db = await createTestDatabase();
    databases.push(db);
    const dir = tempDir("weir-unowned-");
    const project = projectCopy(join(dir, "runtime"));
    const specs = await compileProject(project);
    const only = await startReplica(project, db.url, await freePort());
    const registered = await runCli(["register", join(specs, "chain.pb"), "--server", only.address], project);
    expect(registered.code, registered.stderr).toBe(0);
    const { execution } = await only.client.createExecution({
      workflow: "chain",
      inputs: { literals: { x: { value: { case: "scalar", value: { value: { case: "integer", value: 1n } } } } } },
    });
    expect((await queryDatabase(db, "SELECT owner FROM executions WHERE id = $1", [execution!.id]))[0]).toEqual({ owner: null });
    await only.client.terminateExecution({ id: execution!.id, reason: "no worker came" });
    const { execution: ended } = await only.client.getExecution({ id: execution!.id });
    expect(ended?.state).toBe(ExecutionState.TERMINATED);
    only.client.close();
  }, 120_000);

  test("a replica cut off from PostgreSQL stops driving before another adopts its executions", async () => {
    const db = await createTestDatabase();
    databases.push(db);
    const dir = tempDir("weir-partition-");
    const project = projectCopy(join(dir, "runtime"));
    const specs = await compileProject(project);
    const proxy = await startCuttingProxy(new URL(TEST_POSTGRES.server).host);
    const viaProxy = new URL(db.url);
    viaProxy.host = proxy.address;
    const cut = await startReplica(project, viaProxy.href, await freePort());
    const other = await startReplica(project, db.url, await freePort());
    const registered = await runCli(["register", join(specs, "chain.pb"), "--server", cut.address], project);
    expect(registered.code, registered.stderr).toBe(0);
    const worker = spawnWeir(["worker", "--server", `${cut.address},${other.address}`, "--id", "w1"], { cwd: projectCopy(join(dir, "worker")) });
    await waitFor("the worker to connect to the first replica", async () => (await cut.client.listWorkers({})).workers.some((w) => w.connected));
    const { execution } = await cut.client.createExecution({
      workflow: "chain",
      inputs: { literals: { x: { value: { case: "scalar", value: { value: { case: "integer", value: 1n } } } } } },
    });
    await waitFor("the chain to start", async () => {
      const { execution: e } = await other.client.getExecution({ id: execution!.id });
      return e?.nodes.some((n) => n.state === NodeState.SUCCEEDED);
    });

    const partitionedAt = Date.now();
    proxy.partition();
    const fenced = /could not renew its lease .* stopped driving its executions before another replica may adopt them/;
    await waitFor("the cut replica to stop driving", async () => fenced.test(cut.proc.output()), 30_000);
    // When it stopped, by its own log (it then exits once its last calls end; a hung commit may delay that).
    const stoppedAt = Math.min(...loggedAt(cut.proc.output(), "weir replica stopping"));
    // The other replica adopts only after: its adoption is logged later than the cut one's exit.
    const done = await waitFor(
      "the chain to finish on the other replica",
      async () => {
        const { execution: e } = await other.client.getExecution({ id: execution!.id });
        return e && e.state === ExecutionState.SUCCEEDED ? e : undefined;
      },
      120_000,
    );
    expect(intOf(done.outputs?.literals.y)).toBe(88_573n);
    const adopted = loggedAt(other.proc.output(), "replica now drives executions adopted or claimed");
    expect(adopted.length).toBeGreaterThan(0);
    expect(Math.min(...adopted)).toBeGreaterThan(stoppedAt - 50);
    process.stdout.write(
      `partition: the cut replica stopped ${stoppedAt - partitionedAt} ms after the cut; adopted ${Math.min(...adopted) - stoppedAt} ms after it stopped\n`,
    );
    worker.kill("SIGTERM");
    cut.proc.kill("SIGKILL");
    other.client.close();
    cut.client.close();
    await proxy.close();
  }, 240_000);
});
