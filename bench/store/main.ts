// `node --import tsx bench/store/main.ts`: what one commit costs on each metastore, measured from
// `commit()` to its promise resolving (durable), one commit at a time: a chain's link (4 rows: two
// nodes, two attempts) and a fan-out's turn (500 rows), on a SQLite file (this machine's disk) and
// on a fresh database of the local PostgreSQL (`WEIR_BENCH_POSTGRES` names the server). Then the
// group commit: 64 links committed at once, what each waited. Prints one table. Not a test.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeState } from "../../proto/index.ts";
import { emptyBatch, openStore, type AttemptRecord, type NodeRecord, type Store, type StoreBatch } from "../../runtime/store/index.ts";
import { benchDatabase } from "../runtime/postgres-database.ts";
import { percentile } from "../runtime/shapes.ts";

const SETTINGS = Object.freeze({
  /** Commits measured per shape, after `warmup` unmeasured ones. */
  commits: { 4: 1_000, 500: 200 } as Record<number, number>,
  warmup: 50,
  /** Commits in flight at once for the group-commit row. */
  concurrent: 64,
  rounds: 20,
});

/** `rows` rows as the scheduler writes them: half nodes, half their attempts, with small output blobs. */
function batch(rows: number, round: number): StoreBatch {
  const b = emptyBatch();
  const execution = `e${round % 100}`;
  for (let i = 0; i < rows / 2; i++) {
    const nodeId = `step-${i}`;
    const outputs = new Uint8Array(48).fill(round & 0xff);
    b.nodes.push({
      executionId: execution,
      nodeId,
      state: NodeState.SUCCEEDED,
      target: "inc",
      outputs,
      error: null,
      startedAt: Date.now() - 5,
      finishedAt: Date.now(),
      userRetries: 0,
      systemRetries: 0,
      detail: "{}",
    } satisfies NodeRecord);
    b.attempts.push({
      executionId: execution,
      nodeId,
      number: 1,
      state: NodeState.SUCCEEDED,
      workerId: "bench",
      leaseToken: BigInt(round * rows + i),
      queuedAt: Date.now() - 6,
      startedAt: Date.now() - 5,
      finishedAt: Date.now(),
      error: null,
      gpus: "",
    } satisfies AttemptRecord);
  }
  return b;
}

interface Latency {
  p50: number;
  p99: number;
}

async function sequential(store: Store, rows: number): Promise<Latency> {
  for (let i = 0; i < SETTINGS.warmup; i++) await store.commit(batch(rows, i));
  const ms: number[] = [];
  for (let i = 0; i < SETTINGS.commits[rows]!; i++) {
    const b = batch(rows, SETTINGS.warmup + i);
    const t0 = performance.now();
    await store.commit(b);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
}

/** `concurrent` 4-row commits started in one turn, `rounds` times: each one's wait until durable. */
async function concurrent(store: Store): Promise<Latency> {
  const ms: number[] = [];
  for (let r = 0; r < SETTINGS.rounds; r++) {
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: SETTINGS.concurrent }, (_, i) => store.commit(batch(4, r * SETTINGS.concurrent + i)).then(() => ms.push(performance.now() - t0))),
    );
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
}

async function measure(store: Store): Promise<Latency[]> {
  return [await sequential(store, 4), await sequential(store, 500), await concurrent(store)];
}

const dir = mkdtempSync(join(tmpdir(), "weir-bench-store-"));
const results: Array<{ system: string; latencies: Latency[] }> = [];
try {
  const sqlite = await openStore(`sqlite:${join(dir, "weir.db")}`);
  results.push({ system: "SQLite (file, WAL, synchronous FULL)", latencies: await measure(sqlite) });
  await sqlite.close();
  const db = await benchDatabase("store");
  try {
    const postgres = await openStore(db.url);
    results.push({ system: "PostgreSQL 4 connections (local, synchronous_commit on)", latencies: await measure(postgres) });
    await postgres.close();
  } finally {
    await db.drop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const rows = [
  ["commit latency (ms), p50 / p99", ...results.map((r) => r.system)],
  ["4 rows (a chain's link)", ...results.map((r) => format(r.latencies[0]!))],
  ["500 rows (a fan-out's turn)", ...results.map((r) => format(r.latencies[1]!))],
  [`4 rows, ${SETTINGS.concurrent} at once (group commit)`, ...results.map((r) => format(r.latencies[2]!))],
];
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
const lines = rows.map((r) =>
  r
    .map((c, i) => c.padEnd(widths[i]!))
    .join("  ")
    .trimEnd(),
);
lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
process.stdout.write(`${lines.join("\n")}\n`);

function format(l: Latency): string {
  return `${l.p50.toFixed(2)} / ${l.p99.toFixed(2)}`;
}
