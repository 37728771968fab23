// Replica membership on the real PostgreSQL: epochs, fencing of every commit, deposition of a
// replica whose lease lapsed (its executions handed to the replica its workers moved to, or left for
// a claim), claims that never hand one execution to two replicas, one leader, and a replica that
// cannot renew stopping by its own clock before it can be deposed.
import pg from "pg";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ExecutionState, NodeState } from "../../../proto/index.ts";
import type { RuntimeError } from "../../../runtime/error-codes.ts";
import {
  emptyBatch,
  openPostgresStore,
  ReplicaMembership,
  type ExecutionRecord,
  type PostgresStore,
  type ReplicaHost,
  type ReplicaOptions,
} from "../../../runtime/store/index.ts";
import { createTestDatabase, queryDatabase, type TestDatabase } from "./postgres-databases.ts";

const databases: TestDatabase[] = [];
const stores: PostgresStore[] = [];
const members: ReplicaMembership[] = [];

afterEach(async () => {
  for (const m of members.splice(0)) await m.leave().catch(() => undefined);
  for (const s of stores.splice(0)) await s.close().catch(() => undefined);
  for (const d of databases.splice(0)) await d.drop();
});

function execution(id: string, state = ExecutionState.RUNNING): ExecutionRecord {
  return {
    id,
    workflow: "wf",
    version: "v1",
    state,
    inputs: null,
    outputs: null,
    error: null,
    createdAt: 1,
    startedAt: 1,
    finishedAt: 0,
    scheduledFor: 0,
    backfillId: "",
    recoveredFrom: "",
    maxParallelism: 0,
  };
}

interface Recorder extends ReplicaHost {
  readonly adopted: Set<string>;
  readonly lostWith: RuntimeError[];
  leads: boolean;
  free: number;
}

function recorder(free = 0): Recorder {
  const r: Recorder = {
    adopted: new Set(),
    lostWith: [],
    leads: false,
    free,
    freeSlots: () => r.free,
    adopt: async (ids) => {
      for (const id of ids) r.adopted.add(id);
    },
    deposed: () => {},
    waiting: () => ({}),
    lend: () => false,
    leading: (leads) => {
      r.leads = leads;
    },
    lost: (why) => {
      r.lostWith.push(why);
    },
  };
  return r;
}

const FAST: Partial<ReplicaOptions> = { leaseMs: 1_500, renewMs: 200, selfFenceMs: 1_000 };

async function replica(
  db: TestDatabase,
  host: Recorder,
  options: Partial<ReplicaOptions> = FAST,
): Promise<{ store: PostgresStore; member: ReplicaMembership }> {
  const store = await openPostgresStore(db.url);
  stores.push(store);
  const member = await ReplicaMembership.join(store, "127.0.0.1:1", host, options);
  members.push(member);
  return { store, member };
}

describe("PostgreSQL replicas", () => {
  it("fences every commit: once deposed, a replica's writes are refused and nothing of them is applied", async () => {
    const db = await createTestDatabase();
    databases.push(db);
    const a = recorder();
    const { store, member } = await replica(db, a);
    await store.commit({ ...emptyBatch(), executions: [execution("e1")] });
    expect(await queryDatabase(db, "SELECT owner::text FROM executions WHERE id = 'e1'")).toEqual([{ owner: String(member.epoch) }]);
    // Deposed behind its back (as a replica that found its lease lapsed would).
    await queryDatabase(db, "UPDATE replicas SET deposed = true WHERE epoch = $1", [String(member.epoch)]);
    await expect(store.commit({ ...emptyBatch(), executions: [execution("e2")], nodes: [] })).rejects.toMatchObject({
      code: "STORE_FAILED",
      message: expect.stringMatching(/this replica was deposed .* restart it to rejoin as a new replica/),
    });
    expect(await queryDatabase(db, "SELECT id FROM executions ORDER BY id")).toEqual([{ id: "e1" }]);
  });

  it("deposes a replica whose lease lapsed, hands its executions to the replica its worker moved to, and lets claims take the rest once each", async () => {
    const db = await createTestDatabase();
    databases.push(db);
    const dead = recorder();
    const { store: deadStore, member: deadMember } = await replica(db, dead, { ...FAST, leaseMs: 600 });
    await deadStore.commit({
      ...emptyBatch(),
      executions: [execution("moved"), execution("orphan"), execution("ended", ExecutionState.SUCCEEDED)],
      attempts: [
        {
          executionId: "moved",
          nodeId: "a",
          number: 1,
          state: NodeState.RUNNING,
          workerId: "w1",
          leaseToken: 7n,
          queuedAt: 1,
          startedAt: 1,
          finishedAt: 0,
          error: null,
          gpus: "",
        },
      ],
    });
    // It stops renewing (killed): members it never started have no rounds.
    const b = recorder(0);
    const c = recorder(10);
    const { store: bStore, member: bMember } = await replica(db, b);
    const { member: cMember } = await replica(db, c);
    // Worker w1 failed over to B: B's commits record it connected there.
    await bStore.commit({
      ...emptyBatch(),
      workers: [{ id: "w1", hostname: "h", register: new Uint8Array(), connectedAt: 1, lastHeartbeat: 1, connected: true }],
    });
    await bMember.start();
    await cMember.start();
    await vi.waitFor(() => expect([...b.adopted]).toEqual(["moved"]), { timeout: 10_000, interval: 50 });
    await vi.waitFor(() => expect([...c.adopted]).toEqual(["orphan"]), { timeout: 10_000, interval: 50 });
    expect(await queryDatabase(db, "SELECT deposed FROM replicas WHERE epoch = $1", [String(deadMember.epoch)])).toEqual([{ deposed: true }]);
    // The one with the lowest live epoch leads.
    await vi.waitFor(() => expect([b.leads, c.leads]).toEqual([true, false]), { timeout: 10_000, interval: 50 });
    // The deposed replica, back from the dead, writes nothing.
    await expect(deadStore.commit({ ...emptyBatch(), executions: [execution("moved", ExecutionState.FAILED)] })).rejects.toMatchObject({
      code: "STORE_FAILED",
    });
    expect(await queryDatabase(db, "SELECT state FROM executions WHERE id = 'moved'")).toEqual([{ state: ExecutionState.RUNNING }]);
  });

  it("never gives one unowned execution to two claimers, and gives limited runs to the leader alone", async () => {
    const db = await createTestDatabase();
    databases.push(db);
    const seed = recorder();
    const { store, member } = await replica(db, seed);
    await store.commit({ ...emptyBatch(), executions: Array.from({ length: 60 }, (_, i) => execution(`e${i}`)) });
    await store.commit({ ...emptyBatch(), executions: Array.from({ length: 6 }, (_, i) => execution(`limited${i}`)) });
    for (let i = 0; i < 60; i++) await member.release(`e${i}`, false);
    // Runs under a max-active-runs limit: the leader alone drives them, so it counts them all.
    for (let i = 0; i < 6; i++) await member.release(`limited${i}`, true);
    const claimers = [recorder(100), recorder(100), recorder(100)];
    const joined = await Promise.all(claimers.map((h) => replica(db, h)));
    await Promise.all(joined.map((j) => j.member.start()));
    await vi.waitFor(() => expect(claimers.reduce((n, h) => n + h.adopted.size, 0)).toBe(66), { timeout: 15_000, interval: 50 });
    const all = claimers.flatMap((h) => [...h.adopted]);
    expect(new Set(all).size).toBe(66);
    const leader = claimers.find((h) => h.leads)!;
    expect(claimers.filter((h) => h.leads)).toHaveLength(1);
    expect([...leader.adopted].filter((id) => id.startsWith("limited")).sort()).toEqual(Array.from({ length: 6 }, (_, i) => `limited${i}`));
  });

  it("stops a replica that cannot renew by its own clock, before its lease lapses on the database's", async () => {
    const db = await createTestDatabase();
    databases.push(db);
    const a = recorder();
    const { store, member } = await replica(db, a);
    await member.start();
    // Its renewals hang from now on (as behind a network partition).
    const query = pg.Pool.prototype.query;
    vi.spyOn(pg.Pool.prototype, "query").mockImplementation(function (this: pg.Pool, ...args: unknown[]) {
      if (typeof args[0] === "string" && args[0].startsWith("UPDATE replicas SET lease_until")) return new Promise(() => {});
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query);
    await vi.waitFor(() => expect(a.lostWith).toHaveLength(1), { timeout: 10_000, interval: 20 });
    const [row] = await queryDatabase(db, "SELECT lease_until > now() AS live FROM replicas WHERE epoch = $1", [String(member.epoch)]);
    // Stopped while its lease still held: nobody could have adopted its executions yet.
    expect(row).toEqual({ live: true });
    expect(a.lostWith[0]!.message).toMatch(/could not renew its lease .* stopped driving its executions before another replica may adopt them/);
    await expect(store.commit({ ...emptyBatch(), executions: [execution("late")] })).rejects.toThrow(/could not renew its lease/);
    vi.restoreAllMocks();
  });
});
