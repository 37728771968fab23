// The engine without gRPC: an in-memory worker link records the Assign and Cancel bytes the engine
// sends, the test answers with Results through `engine.onResult`, and the store is a real
// SqliteStore on a temp file, wrapped to log when each commit lands.
import { join } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { afterEach, describe, expect, it } from "vitest";
import {
  CompiledWorkflowSchema,
  ErrorKind,
  ExecutionState,
  LiteralSchema,
  LiteralSetSchema,
  NodeState,
  RegisterSchema,
  ResultSchema,
  ServerMessageSchema,
  type Assign,
  type CompiledWorkflow,
  type ServerMessage,
} from "../../../proto/index.ts";
import { createLogger } from "../../../runtime/log.ts";
import { Engine, type EngineOptions, type WorkerLink, type WorkerSlot } from "../../../runtime/scheduler/index.ts";
import { openSqliteStore, type Store, type StoreBatch } from "../../../runtime/store/index.ts";
import { INT, incTask, int, intOf, refNode, tempDir, waitFor, workflowSpec } from "../harness.ts";

/** What the test saw, in order: commits landing and messages reaching the worker. */
type Event = { kind: "commit"; attempts: StoreBatch["attempts"] } | { kind: "assign"; assign: Assign } | { kind: "cancel"; leaseToken: bigint };

/** The store, with every commit logged once it has landed (before the engine sees it resolve). */
function loggingStore(store: Store, events: Event[]): Store {
  const landed = (batch: StoreBatch) => events.push({ kind: "commit", attempts: batch.attempts });
  return new Proxy(store, {
    get(target, prop) {
      if (prop === "commitNow")
        return (batch: StoreBatch) => {
          const now = target.commitNow(batch);
          if (now) landed(batch);
          return now;
        };
      if (prop === "commit") return (batch: StoreBatch) => target.commit(batch).then(() => void landed(batch));
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

/** A worker's downward link in memory: decodes what the engine sends and logs it. */
class MemoryLink implements WorkerLink {
  closed = false;
  constructor(private readonly events: Event[]) {}

  send(msg: ServerMessage | Uint8Array): void {
    const m = msg instanceof Uint8Array ? fromBinary(ServerMessageSchema, msg) : msg;
    // Round-trip messages too, so both paths are checked as bytes.
    const decoded = fromBinary(ServerMessageSchema, toBinary(ServerMessageSchema, m));
    if (decoded.msg.case === "assign") this.events.push({ kind: "assign", assign: decoded.msg.value });
    else if (decoded.msg.case === "assigns") for (const a of decoded.msg.value.assigns) this.events.push({ kind: "assign", assign: a });
    else if (decoded.msg.case === "cancel") this.events.push({ kind: "cancel", leaseToken: decoded.msg.value.leaseToken });
  }

  close(): void {
    this.closed = true;
  }
}

interface Harness {
  engine: Engine;
  store: Store;
  events: Event[];
  worker: WorkerSlot;
  link: MemoryLink;
}

const open: Array<{ engine: Engine; store: Store }> = [];
afterEach(async () => {
  for (const { engine, store } of open.splice(0).reverse()) {
    await engine.stop();
    await store.close();
  }
});

/** An engine on the store at `dir/weir.db`, started, with one in-memory worker connected. */
async function start(dir: string, opts: { capacity?: number; workerId?: string; config?: EngineOptions["config"] } = {}): Promise<Harness> {
  const events: Event[] = [];
  const store = loggingStore(openSqliteStore(join(dir, "weir.db")), events);
  const engine = new Engine({ store, log: createLogger("silent"), projectRoot: dir, config: opts.config });
  open.push({ engine, store });
  await engine.start();
  const link = new MemoryLink(events);
  const reg = create(RegisterSchema, { workerId: opts.workerId ?? "w1", pools: ["cpu"], capacity: opts.capacity ?? 1, instance: "p1" });
  const worker = await engine.connectWorker(reg, link);
  engine.ready(worker);
  return { engine, store, events, worker, link };
}

async function register(store: Store, spec: CompiledWorkflow): Promise<void> {
  spec.workflow!.version = "v1";
  await store.putWorkflow({ name: spec.workflow!.name, version: "v1", spec: toBinary(CompiledWorkflowSchema, spec), registeredAt: Date.now() });
}

const assigns = (h: Harness) => h.events.flatMap((e) => (e.kind === "assign" ? [e.assign] : []));

/** The next Assign the worker has not answered yet, once it arrives. */
function nextAssign(h: Harness, answered: Set<bigint>): Promise<Assign> {
  return waitFor(() => assigns(h).find((a) => !answered.has(a.leaseToken)), 5_000, "an Assign");
}

function succeed(h: Harness, a: Assign, answered: Set<bigint>, y = intOf(a.inputs!.literals.x) + 1): void {
  answered.add(a.leaseToken);
  h.engine.onResult(h.worker, create(ResultSchema, { leaseToken: a.leaseToken, outcome: { case: "outputs", value: { literals: { y: int(y) } } } }));
}

async function ended(store: Store, id: string): Promise<ExecutionState> {
  return waitFor(
    async () => {
      const e = await store.getExecution(id);
      return e && e.state !== ExecutionState.RUNNING && e.state !== ExecutionState.QUEUED ? e.state : undefined;
    },
    5_000,
    `execution ${id} to end`,
  );
}

const chain = () =>
  workflowSpec(
    "chain",
    [refNode("a", "inc", { input: "x" }), refNode("b", "inc", { node: "a", output: "y" }), refNode("c", "inc", { node: "b", output: "y" })],
    [incTask()],
    { output: { node: "c", output: "y" } },
  );

describe("the engine with an in-memory worker link", () => {
  it("runs a chain to SUCCEEDED, each Assign sent only after the commit holding its grant", async () => {
    const dir = tempDir();
    const h = await start(dir);
    await register(h.store, chain());
    const id = await h.engine.createExecution({ workflow: "chain", inputs: create(LiteralSetSchema, { literals: { x: int(1) } }) });
    const answered = new Set<bigint>();
    for (const node of ["a", "b", "c"]) {
      const a = await nextAssign(h, answered);
      expect(a.nodeId).toBe(node);
      succeed(h, a, answered);
    }
    expect(await ended(h.store, id)).toBe(ExecutionState.SUCCEEDED);
    expect(intOf(assigns(h)[2]!.inputs!.literals.x)).toBe(3);

    // Every Assign follows a landed commit that holds its attempt RUNNING under that lease.
    for (const [i, e] of h.events.entries()) {
      if (e.kind !== "assign") continue;
      const granted = h.events
        .slice(0, i)
        .some(
          (c) =>
            c.kind === "commit" &&
            c.attempts.some((r) => r.nodeId === e.assign.nodeId && r.leaseToken === e.assign.leaseToken && r.state === NodeState.RUNNING),
        );
      expect(granted, `Assign of ${e.assign.nodeId} before its commit`).toBe(true);
    }
    const nodes = await h.store.getNodes(id);
    expect(nodes.map((n) => [n.nodeId, NodeState[n.state]]).sort()).toEqual([
      ["a", "SUCCEEDED"],
      ["b", "SUCCEEDED"],
      ["c", "SUCCEEDED"],
    ]);
  });

  it("retries a failed attempt after its backoff, under a new lease", async () => {
    const dir = tempDir();
    const h = await start(dir);
    const backoff = 150;
    await register(
      h.store,
      workflowSpec("retry", [refNode("a", "inc", { input: "x" })], [incTask("inc", { retries: { attempts: 1, backoff: durationFromMs(backoff) } })]),
    );
    const id = await h.engine.createExecution({ workflow: "retry", inputs: create(LiteralSetSchema, { literals: { x: int(1) } }) });
    const answered = new Set<bigint>();
    const first = await nextAssign(h, answered);
    answered.add(first.leaseToken);
    const failedAt = Date.now();
    h.engine.onResult(
      h.worker,
      create(ResultSchema, {
        leaseToken: first.leaseToken,
        outcome: { case: "error", value: { code: "TASK_FAILED", message: "flaky", kind: ErrorKind.USER } },
      }),
    );
    const second = await nextAssign(h, answered);
    // Jitter keeps a retry within [½, 1] of the backoff.
    expect(Date.now() - failedAt).toBeGreaterThanOrEqual(backoff / 2 - 5);
    expect(second.nodeId).toBe("a");
    expect(second.attempt).toBe(first.attempt + 1);
    expect(second.leaseToken).toBeGreaterThan(first.leaseToken);
    succeed(h, second, answered);
    expect(await ended(h.store, id)).toBe(ExecutionState.SUCCEEDED);
    const attempts = await h.store.getAttempts(id);
    expect(attempts.map((a) => NodeState[a.state])).toEqual(["FAILED", "SUCCEEDED"]);
  });

  it("keeps a map's items within its concurrency", async () => {
    const dir = tempDir();
    const h = await start(dir, { capacity: 8 });
    const LIST = { type: { case: "collection" as const, value: { item: INT } } };
    const items = [1, 2, 3, 4, 5];
    const spec = create(CompiledWorkflowSchema, {
      workflow: {
        name: "fan",
        interface: { inputs: [{ name: "xs", type: LIST }] },
        nodes: [
          {
            id: "m",
            target: { case: "map", value: { task: "inc", mappedInput: "x", concurrency: 2 } },
            inputs: [{ var: "x", value: { value: { case: "workflowInput", value: "xs" } } }],
          },
        ],
      },
      tasks: [incTask() as never],
    });
    await register(h.store, spec);
    const xs = create(LiteralSchema, { value: { case: "collection", value: { items: items.map(int) } } });
    const id = await h.engine.createExecution({ workflow: "fan", inputs: create(LiteralSetSchema, { literals: { xs } }) });
    const answered = new Set<bigint>();
    let maxOpen = 0;
    while (answered.size < items.length) {
      await nextAssign(h, answered);
      await h.engine.committed();
      const open = assigns(h).filter((a) => !answered.has(a.leaseToken));
      maxOpen = Math.max(maxOpen, open.length);
      succeed(h, open[0]!, answered);
    }
    expect(maxOpen).toBe(2);
    expect(new Set(assigns(h).map((a) => a.nodeId))).toEqual(new Set(items.map((_, i) => `m[${i}]`)));
    expect(await ended(h.store, id)).toBe(ExecutionState.SUCCEEDED);
  });

  it("sends Cancel for a running attempt when the execution is terminated", async () => {
    const dir = tempDir();
    const h = await start(dir);
    await register(h.store, chain());
    const id = await h.engine.createExecution({ workflow: "chain", inputs: create(LiteralSetSchema, { literals: { x: int(1) } }) });
    const a = await nextAssign(h, new Set());
    await h.engine.terminate(id, "enough");
    await waitFor(() => h.events.find((e) => e.kind === "cancel"), 5_000, "a Cancel");
    expect(h.events.filter((e) => e.kind === "cancel")).toEqual([{ kind: "cancel", leaseToken: a.leaseToken }]);
    expect(await ended(h.store, id)).toBe(ExecutionState.TERMINATED);
    expect(assigns(h)).toHaveLength(1);
  });

  it("resumes a half-done execution in an engine restarted on the same store", async () => {
    const dir = tempDir();
    const first = await start(dir);
    await register(first.store, chain());
    const id = await first.engine.createExecution({ workflow: "chain", inputs: create(LiteralSetSchema, { literals: { x: int(1) } }) });
    const answered = new Set<bigint>();
    succeed(first, await nextAssign(first, answered), answered);
    const b = await nextAssign(first, answered);
    expect(b.nodeId).toBe("b");
    // The runtime goes away with b running on the worker.
    const gone = open.pop()!;
    await gone.engine.stop();
    await gone.store.close();

    // The same worker reconnects to the restarted engine and delivers b under its old lease.
    const second = await start(dir);
    expect(second.engine.isActive(id)).toBe(true);
    succeed(second, b, answered);
    const c = await nextAssign(second, answered);
    expect(c.nodeId).toBe("c");
    expect(intOf(c.inputs!.literals.x)).toBe(3);
    succeed(second, c, answered);
    expect(await ended(second.store, id)).toBe(ExecutionState.SUCCEEDED);
    // Nothing that had finished ran again.
    expect(assigns(second).map((a) => a.nodeId)).toEqual(["c"]);
  });
});
