// The Store contract, once for each engine: SQLite (a file) and PostgreSQL (a fresh database per
// test on the local server). What the scheduler and the server rely on: records come back as they
// went in (numbers as numbers, lease tokens as bigints, bytes as Uint8Arrays), a batch is atomic and
// applies its rows in order, commits keep their order and are durable when they resolve, and the
// orderings the API pages by.
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ExecutionState, NodeState } from "../../../proto/index.ts";
import { emptyBatch, openStore, type ExecutionRecord, type NodeRecord, type Store, type StoreBatch } from "../../../runtime/store/index.ts";
import { tempDir } from "../harness.ts";
import { createTestDatabase } from "./postgres-databases.ts";

/** Where one test's store lives: opened (and reopened) by URL, removed after the test. */
interface Place {
  readonly url: string;
  remove(): Promise<void>;
}

const ENGINES: ReadonlyArray<{ name: string; place(): Promise<Place> }> = [
  { name: "SQLite", place: async () => ({ url: `sqlite:${join(tempDir(), "weir.db")}`, remove: async () => {} }) },
  {
    name: "PostgreSQL",
    place: async () => {
      const db = await createTestDatabase();
      return { url: db.url, remove: db.drop };
    },
  },
];

function execution(id: string, extra: Partial<ExecutionRecord> = {}): ExecutionRecord {
  return {
    id,
    workflow: "wf",
    version: "v1",
    state: ExecutionState.RUNNING,
    inputs: new Uint8Array([3]),
    outputs: null,
    error: null,
    createdAt: 1_700_000_000_123,
    startedAt: 1_700_000_000_456,
    finishedAt: 0,
    scheduledFor: 0,
    backfillId: "",
    recoveredFrom: "",
    maxParallelism: 4,
    ...extra,
  };
}

function node(nodeId: string, state: NodeState, extra: Partial<NodeRecord> = {}): NodeRecord {
  return {
    executionId: "e1",
    nodeId,
    state,
    target: "inc",
    outputs: null,
    error: null,
    startedAt: 1,
    finishedAt: 0,
    userRetries: 0,
    systemRetries: 0,
    detail: "{}",
    ...extra,
  };
}

function batch(parts: Partial<StoreBatch>): StoreBatch {
  return { ...emptyBatch(), ...parts };
}

describe.each(ENGINES)("the Store contract on $name", (engine) => {
  const opened: Store[] = [];
  const places: Place[] = [];

  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    for (const p of places.splice(0)) await p.remove();
  });

  async function fresh(): Promise<{ store: Store; reopen(): Promise<Store> }> {
    const place = await engine.place();
    places.push(place);
    const open = async () => {
      const s = await openStore(place.url);
      opened.push(s);
      return s;
    };
    return { store: await open(), reopen: open };
  }

  it("round-trips workflows (latest version), executions, nodes, attempts, lease blocks, cache, workers and logs", async () => {
    const { store } = await fresh();
    expect(await store.putWorkflow({ name: "wf", version: "v1", spec: new Uint8Array([1]), registeredAt: 1 })).toBe(true);
    expect(await store.putWorkflow({ name: "wf", version: "v1", spec: new Uint8Array([9]), registeredAt: 2 })).toBe(false);
    await store.putWorkflow({ name: "wf", version: "v2", spec: new Uint8Array([2]), registeredAt: 3 });
    expect((await store.getWorkflow("wf"))!.version).toBe("v2");
    expect(await store.getWorkflow("wf", "v1")).toEqual({ name: "wf", version: "v1", spec: new Uint8Array([1]), registeredAt: 1 });
    expect(await store.getWorkflow("nope")).toBeUndefined();
    expect(await store.listWorkflows()).toEqual([{ name: "wf", latestVersion: "v2", versions: 2, latestSpec: new Uint8Array([2]), registeredAt: 3 }]);

    const exec = execution("e1");
    const b = batch({
      executions: [exec],
      nodes: [node("a", NodeState.RUNNING, { userRetries: 1, detail: '{"due":5}' })],
      attempts: [
        {
          executionId: "e1",
          nodeId: "a",
          number: 1,
          state: NodeState.RUNNING,
          workerId: "w",
          leaseToken: 41n,
          queuedAt: 11,
          startedAt: 12,
          finishedAt: 0,
          error: null,
          // The GPU indices it was given (migration 3's column), read back as written.
          gpus: "0,3",
        },
      ],
      leaseBlocks: [{ issuedThrough: 1040n }],
      cache: [{ key: "k", task: "inc", outputs: new Uint8Array([7]), createdAt: 1 }],
      workers: [{ id: "w", hostname: "h", register: new Uint8Array(), connectedAt: 1, lastHeartbeat: 2, connected: true }],
      logs: [{ executionId: "e1", nodeId: "a", attempt: 1, stream: "stdout", text: "hello", at: 5 }],
    });
    expect(await store.maxLeaseToken()).toBe(0n);
    await store.commit(b);

    const got = await store.getExecution("e1");
    expect(got).toEqual({ ...exec, seq: expect.any(Number) });
    expect(typeof got!.createdAt).toBe("number");
    expect(await store.getExecution("nope")).toBeUndefined();
    expect((await store.listActiveExecutions()).map((e) => e.id)).toEqual(["e1"]);
    expect(await store.getNodes("e1")).toEqual(b.nodes);
    expect(await store.getAttempts("e1")).toEqual(b.attempts);
    expect(await store.maxLeaseToken()).toBe(1040n);
    expect(await store.getCache("k")).toEqual(b.cache[0]);
    expect(await store.getCache("nope")).toBeUndefined();
    expect(await store.listWorkers()).toEqual(b.workers);
    expect(await store.getLogs("e1", "a")).toEqual(b.logs);

    await store.commit(batch({ executions: [{ ...exec, state: ExecutionState.SUCCEEDED, finishedAt: 20 }] }));
    expect(await store.listActiveExecutions()).toEqual([]);
    expect((await store.listExecutions({ limit: 10, workflow: "wf" })).map((e) => [e.id, e.state, e.finishedAt])).toEqual([
      ["e1", ExecutionState.SUCCEEDED, 20],
    ]);
    await store.close();
    await expect(store.getExecution("e1")).rejects.toMatchObject({ code: "STORE_FAILED", message: expect.stringMatching(/closed/) });
    await expect(store.commit(emptyBatch())).rejects.toMatchObject({ code: "STORE_FAILED" });
    await store.close();
  });

  it("keeps bytes, nulls, large numbers and text exactly", async () => {
    const { store } = await fresh();
    // Lease tokens are bigints; SQLite reads its integers as numbers, so exact up to 2^53.
    const big = 2n ** 52n + 7n;
    // A view into a larger buffer keeps only its own bytes; an empty blob is not null.
    const view = new Uint8Array([9, 9, 0, 255, 9]).subarray(2, 4);
    await store.commit(
      batch({
        executions: [execution("é-1", { inputs: null, outputs: new Uint8Array(), error: view, createdAt: 8_640_000_000_000_000 })],
        nodes: [node("ñ", NodeState.SUCCEEDED, { executionId: "é-1", outputs: new Uint8Array(70_000).fill(0xab), detail: '{"x":"✓ \\n"}' })],
        attempts: [
          {
            executionId: "é-1",
            nodeId: "ñ",
            number: 1,
            state: NodeState.SUCCEEDED,
            workerId: "w",
            leaseToken: big,
            queuedAt: 1,
            startedAt: 2,
            finishedAt: 3,
            error: null,
            gpus: "",
          },
        ],
        leaseBlocks: [{ issuedThrough: big }],
        workers: [{ id: "w", hostname: "host ☃", register: new Uint8Array([1, 2]), connectedAt: 1, lastHeartbeat: 2, connected: false }],
      }),
    );
    const e = (await store.getExecution("é-1"))!;
    expect(e.inputs).toBeNull();
    expect(e.outputs).toEqual(new Uint8Array());
    expect(e.error).toEqual(new Uint8Array([0, 255]));
    expect(e.createdAt).toBe(8_640_000_000_000_000);
    const [n] = await store.getNodes("é-1");
    expect(n!.outputs).toBeInstanceOf(Uint8Array);
    expect(n!.outputs!.length).toBe(70_000);
    expect(n!.outputs!.every((x) => x === 0xab)).toBe(true);
    expect(n!.detail).toBe('{"x":"✓ \\n"}');
    expect((await store.getAttempts("é-1"))[0]!.leaseToken).toBe(big);
    expect(await store.maxLeaseToken()).toBe(big);
    expect(await store.listWorkers()).toEqual([
      { id: "w", hostname: "host ☃", register: new Uint8Array([1, 2]), connectedAt: 1, lastHeartbeat: 2, connected: false },
    ]);
  });

  it("applies a batch's rows in order: a key given twice ends as SQLite leaves it, logs keep their order", async () => {
    const { store } = await fresh();
    await store.commit(
      batch({
        workflows: [
          { name: "wf", version: "v1", spec: new Uint8Array([1]), registeredAt: 1 },
          { name: "wf", version: "v1", spec: new Uint8Array([2]), registeredAt: 2 },
        ],
        executions: [
          execution("e1", { state: ExecutionState.QUEUED, startedAt: 0 }),
          // An update keeps what the execution was created with and takes what it became.
          execution("e1", { state: ExecutionState.RUNNING, workflow: "other", inputs: new Uint8Array([9]), startedAt: 50 }),
          execution("e1", { state: ExecutionState.SUCCEEDED, workflow: "other", startedAt: 50, finishedAt: 60, outputs: new Uint8Array([4]) }),
        ],
        nodes: [node("a", NodeState.QUEUED), node("b", NodeState.QUEUED), node("a", NodeState.RUNNING, { userRetries: 2 })],
        leaseBlocks: [{ issuedThrough: 1000n }, { issuedThrough: 1000n }, { issuedThrough: 2000n }],
        cache: [
          { key: "k", task: "t", outputs: new Uint8Array([1]), createdAt: 1 },
          { key: "k", task: "t", outputs: new Uint8Array([2]), createdAt: 2 },
        ],
        logs: ["one", "two", "three"].map((text, i) => ({ executionId: "e1", nodeId: "a", attempt: 1 + (i % 2), stream: "stdout", text, at: i })),
        scheduleTicks: [
          { workflow: "wf", lastTick: 10 },
          { workflow: "wf", lastTick: 20 },
        ],
      }),
    );
    expect(await store.getWorkflow("wf", "v1")).toMatchObject({ spec: new Uint8Array([1]), registeredAt: 1 });
    expect(await store.getExecution("e1")).toMatchObject({
      workflow: "wf",
      inputs: new Uint8Array([3]),
      state: ExecutionState.SUCCEEDED,
      startedAt: 50,
      finishedAt: 60,
      outputs: new Uint8Array([4]),
    });
    expect((await store.getNodes("e1")).map((n) => [n.nodeId, n.state, n.userRetries])).toEqual([
      ["a", NodeState.RUNNING, 2],
      ["b", NodeState.QUEUED, 0],
    ]);
    expect(await store.maxLeaseToken()).toBe(2000n);
    expect((await store.getCache("k"))!.outputs).toEqual(new Uint8Array([2]));
    expect((await store.getLogs("e1", "a")).map((l) => l.text)).toEqual(["one", "two", "three"]);
    expect((await store.getLogs("e1", "a", 1)).map((l) => l.text)).toEqual(["one", "three"]);
    expect(await store.getScheduleTick("wf")).toBe(20);
    expect(await store.getScheduleTick("nope")).toBeUndefined();
  });

  it("commits an empty batch, and the batches after it", async () => {
    const { store } = await fresh();
    await store.commit(emptyBatch());
    await store.commit(batch({ nodes: [node("a", NodeState.QUEUED)] }));
    await Promise.all([store.commit(emptyBatch()), store.commit(batch({ nodes: [node("b", NodeState.QUEUED)] })), store.commit(emptyBatch())]);
    await store.commit(batch({ nodes: [node("c", NodeState.QUEUED)] }));
    expect((await store.getNodes("e1")).map((n) => n.nodeId)).toEqual(["a", "b", "c"]);
  });

  it("keeps the order of commits made without waiting, each visible to a reopened store once it resolves", async () => {
    const { store, reopen } = await fresh();
    const order: number[] = [];
    const commits = Array.from({ length: 30 }, (_, i) =>
      store
        .commit(
          batch({
            nodes: [
              node("a", NodeState.RUNNING, { userRetries: i }),
              ...(i % 5 === 0 ? Array.from({ length: 40 }, (_, j) => node(`bulk${j}`, NodeState.QUEUED, { systemRetries: i })) : []),
            ],
            logs: [{ executionId: "e1", nodeId: "a", attempt: 1, stream: "stdout", text: `line ${i}`, at: i }],
          }),
        )
        .then(() => order.push(i)),
    );
    await commits[0];
    await Promise.all(commits);
    expect(order).toEqual(Array.from({ length: 30 }, (_, i) => i));
    await store.close();
    const again = await reopen();
    const nodes = await again.getNodes("e1");
    expect(nodes.find((n) => n.nodeId === "a")!.userRetries).toBe(29);
    expect(nodes.find((n) => n.nodeId === "bulk0")!.systemRetries).toBe(25);
    expect((await again.getLogs("e1", "a")).map((l) => l.text)).toEqual(Array.from({ length: 30 }, (_, i) => `line ${i}`));
  });

  it("rejects a batch with a bad row as STORE_FAILED, writes none of it, and keeps working", async () => {
    const { store } = await fresh();
    // state is NOT NULL: the last table fails after the earlier ones were written in the transaction.
    const broken = batch({
      executions: [execution("e1")],
      nodes: [node("here", NodeState.QUEUED), ...Array.from({ length: 40 }, (_, i) => node(`bulk${i}`, NodeState.QUEUED))],
      scheduleTicks: [{ workflow: "wf", lastTick: null as unknown as number }],
    });
    await expect(store.commit(broken)).rejects.toMatchObject({ code: "STORE_FAILED", message: expect.stringMatching(/commit failed.*null/i) });
    await expect(store.commit(batch({ nodes: [{ ...node("x", NodeState.QUEUED), state: null as unknown as NodeState }] }))).rejects.toMatchObject({
      code: "STORE_FAILED",
    });
    expect(await store.getExecution("e1")).toBeUndefined();
    expect(await store.getNodes("e1")).toEqual([]);
    expect(await store.getScheduleTick("wf")).toBeUndefined();
    await store.commit(batch({ nodes: [node("after", NodeState.QUEUED)] }));
    expect((await store.getNodes("e1")).map((n) => n.nodeId)).toEqual(["after"]);
  });

  it("lists executions newest first, filtered by workflow and state, paged by seq", async () => {
    const { store } = await fresh();
    await store.commit(batch({ executions: ["a1", "b1", "a2"].map((id) => execution(id, { workflow: id[0]! })) }));
    await store.commit(
      batch({
        executions: [execution("a3", { workflow: "a", state: ExecutionState.FAILED }), execution("a1", { workflow: "a", state: ExecutionState.SUCCEEDED })],
      }),
    );
    const all = await store.listExecutions({ limit: 10 });
    expect(all.map((e) => e.id)).toEqual(["a3", "a2", "b1", "a1"]);
    expect(all.map((e) => e.seq)).toEqual([...all.map((e) => e.seq!)].sort((x, y) => y - x));
    expect((await store.listExecutions({ limit: 10, workflow: "a" })).map((e) => e.id)).toEqual(["a3", "a2", "a1"]);
    expect((await store.listExecutions({ limit: 10, state: ExecutionState.RUNNING })).map((e) => e.id)).toEqual(["a2", "b1"]);
    const page = await store.listExecutions({ limit: 2, workflow: "a" });
    expect(page.map((e) => e.id)).toEqual(["a3", "a2"]);
    expect((await store.listExecutions({ limit: 2, workflow: "a", beforeSeq: page[1]!.seq })).map((e) => e.id)).toEqual(["a1"]);
    expect((await store.listActiveExecutions()).map((e) => e.id)).toEqual(["b1", "a2"]);
  });

  it("orders text as SQLite does (bytewise), whatever the database's collation", async () => {
    const { store } = await fresh();
    const names = ["b", "B", "a_b", "ab", "a-b", "Z", "é"];
    for (const [i, name] of names.entries()) await store.putWorkflow({ name, version: "v", spec: new Uint8Array([i]), registeredAt: i });
    const bytewise = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect((await store.listWorkflows()).map((w) => w.name)).toEqual(bytewise);
    await store.commit(
      batch({
        nodes: names.map((n) => node(n, NodeState.QUEUED)),
        attempts: names.flatMap((n) =>
          [2, 1].map((number) => ({
            executionId: "e1",
            nodeId: n,
            number,
            state: NodeState.QUEUED,
            workerId: "",
            leaseToken: 0n,
            queuedAt: 1,
            startedAt: 0,
            finishedAt: 0,
            error: null,
            gpus: "",
          })),
        ),
        workers: names.map((id) => ({ id, hostname: "h", register: new Uint8Array(), connectedAt: 1, lastHeartbeat: 1, connected: true })),
      }),
    );
    expect((await store.getNodes("e1")).map((n) => n.nodeId)).toEqual(bytewise);
    expect((await store.getAttempts("e1")).map((a) => `${a.nodeId}#${a.number}`)).toEqual(bytewise.flatMap((n) => [`${n}#1`, `${n}#2`]));
    expect((await store.listWorkers()).map((w) => w.id)).toEqual(bytewise);
  });

  it("keeps backfills, schedule ticks and a workflow's latest version by registration time", async () => {
    const { store, reopen } = await fresh();
    await store.putWorkflow({ name: "wf", version: "late", spec: new Uint8Array([1]), registeredAt: 50 });
    await store.putWorkflow({ name: "wf", version: "early", spec: new Uint8Array([2]), registeredAt: 10 });
    await store.commit(batch({ backfills: [{ id: "bf", workflow: "wf", start: 1_600_000_000_000, end: 1_700_000_000_000, maxActiveRuns: 3, createdAt: 5 }] }));
    await store.commit(batch({ scheduleTicks: [{ workflow: "wf", lastTick: 1_700_000_000_000 }] }));
    await store.close();
    const again = await reopen();
    expect((await again.getWorkflow("wf"))!.version).toBe("late");
    expect(await again.listWorkflows()).toMatchObject([{ name: "wf", versions: 2 }]);
    expect(await again.getBackfill("bf")).toEqual({
      id: "bf",
      workflow: "wf",
      start: 1_600_000_000_000,
      end: 1_700_000_000_000,
      maxActiveRuns: 3,
      createdAt: 5,
    });
    expect(await again.getBackfill("nope")).toBeUndefined();
    expect(await again.getScheduleTick("wf")).toBe(1_700_000_000_000);
    expect(await again.schemaVersion()).toBeGreaterThanOrEqual(2);
  });
});
