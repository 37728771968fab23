// The fuzz phase: a runtime of its own (fresh SQLite file, the chaos workflows registered, some
// executions queued) and random or mutated bytes sent to every AdminService and WorkerService
// method through a raw grpc-js client, each call with a deadline. It records every status code,
// the calls that hit the deadline (hangs), the server's RSS before, during and after, and any
// death of the runtime (it is restarted on the same file to carry on).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { fromBinary, toBinary, create } from "@bufbuild/protobuf";
import { CompiledWorkflowSchema, ServerMessageSchema, WorkerMessageSchema } from "../../proto/index.ts";
import { Cluster, sleep, stablePort, type Exit, type RuntimeInstance } from "./cluster.ts";
import { concat, deepLiteral, fuzzSeeds, FUZZ_SIZES, lengthDelimited, literalSet, varint, type MethodSeeds } from "./fuzz-seeds.ts";
import { intLiteral, singleInputs } from "./inputs.ts";
import { mutate } from "./fuzz-mutations.ts";
import { CHAOS_LIMITS } from "./profiles.ts";
import { Timeline } from "./timeline.ts";

export interface FuzzCase {
  method: string;
  mutation: string;
  bytes: number;
  code: string;
  details: string;
  ms: number;
}

export interface FuzzDeath {
  at: number;
  exit: Exit;
  lastOutput: string;
  inFlight: FuzzCase[];
}

/** After this many deaths the fuzz stops: the runtime is not surviving it. */
const FUZZ_MAX_DEATHS = 10;

export interface FuzzResult {
  calls: number;
  /** Why fewer calls were made than planned, if so. */
  stoppedEarly?: string;
  /** Status code name → count, over every call. */
  byCode: Record<string, number>;
  byMethod: Record<string, Record<string, number>>;
  /** Calls that hit their deadline with no answer. */
  hangs: number;
  internal: number;
  unknown: number;
  /** Examples of hangs, INTERNAL and UNKNOWN (at most 20). */
  examples: FuzzCase[];
  /** Times the runtime died during the fuzz: how, its last output, and the calls in flight then. */
  runtimeDeaths: number;
  deaths: FuzzDeath[];
  /** Calls that met a dying runtime (repeated, not tallied). */
  casualties: number;
  rssBeforeMb: number;
  rssPeakMb: number;
  rssAfterMb: number;
  /** After 5 s idle. */
  rssSettledMb: number;
  slowestMs: number;
  slowest?: FuzzCase;
}

export async function runFuzz(options: {
  dir: string;
  project: string;
  calls: number;
  parallel: number;
  budgetMs: number;
  random: () => number;
  say: (line: string) => void;
}): Promise<FuzzResult> {
  const { dir, project, random, say } = options;
  const cluster = new Cluster({
    name: "fuzz",
    dir,
    project,
    db: join(dir, "fuzz.db"),
    port: await stablePort(),
    sideEffectLog: join(dir, "fuzz-side-effects.log"),
    timeline: new Timeline(),
    workerConcurrency: 1,
  });
  const result: FuzzResult = {
    calls: 0,
    byCode: {},
    byMethod: {},
    hangs: 0,
    internal: 0,
    unknown: 0,
    examples: [],
    runtimeDeaths: 0,
    deaths: [],
    casualties: 0,
    rssBeforeMb: 0,
    rssPeakMb: 0,
    rssAfterMb: 0,
    rssSettledMb: 0,
    slowestMs: 0,
  };
  const inFlight = new Set<FuzzCase>();
  let client: grpc.Client | undefined;
  let sampler: NodeJS.Timeout | undefined;
  try {
    let rt = await cluster.startRuntime();
    const specs = {
      fan: fromBinary(CompiledWorkflowSchema, readFileSync(join(project, ".weir", "compiled", "fan.pb"))),
      single: fromBinary(CompiledWorkflowSchema, readFileSync(join(project, ".weir", "compiled", "single.pb"))),
    };
    await cluster.client.registerWorkflow({ spec: specs.fan });
    await cluster.client.registerWorkflow({ spec: specs.single });
    const executions: string[] = [];
    // Queued work, so a fuzzed worker stream that registers gets Assigns (and live leases to abuse).
    for (let i = 0; i < 50; i++) {
      const { execution } = await cluster.client.createExecution({ workflow: "single", inputs: singleInputs(i, 0, "fuzz") });
      executions.push(execution!.id);
    }
    const methods = fuzzSeeds({ specs, executions });
    // Warm up (first calls compile code paths), then the baseline.
    await cluster.client.listExecutions({ limit: 100 });
    await sleep(1_000);
    result.rssBeforeMb = rssMb(rt.proc.pid);
    result.rssPeakMb = result.rssBeforeMb;
    sampler = setInterval(() => {
      if (cluster.runtime) result.rssPeakMb = Math.max(result.rssPeakMb, rssMb(cluster.runtime.proc.pid));
    }, 250);

    let restarting: Promise<RuntimeInstance> | undefined;
    const watchDeath = (instance: RuntimeInstance): void => {
      void instance.proc.exited().then((exit) => {
        if (cluster.runtime !== instance || instance.proc.endedBySuite()) return;
        result.runtimeDeaths++;
        const lastOutput = instance.proc.tail(2_000).trim().split("\n").slice(-12).join("\n");
        result.deaths.push({ at: Date.now(), exit, lastOutput, inFlight: [...inFlight].map((c) => ({ ...c })) });
        say(`  the fuzz runtime died (${exit.signal ?? `exit ${exit.code}`}); restarting it`);
        cluster.runtime = undefined;
        client?.close();
        client = undefined;
        restarting = cluster.startRuntime().then((next) => {
          rt = next;
          watchDeath(next);
          restarting = undefined;
          return next;
        });
      });
    };
    watchDeath(rt);
    const rawClient = (): grpc.Client =>
      (client ??= new grpc.Client(cluster.address, grpc.credentials.createInsecure(), {
        "grpc.max_send_message_length": -1,
        "grpc.max_receive_message_length": -1,
      }));

    let next = 0;
    const stopAt = Date.now() + options.budgetMs;
    const worker = async (): Promise<void> => {
      while (next < options.calls && result.runtimeDeaths <= FUZZ_MAX_DEATHS && Date.now() < stopAt) {
        next++;
        if (restarting) await restarting;
        const instance = cluster.runtime;
        const method = methods[Math.floor(random() * methods.length)]!;
        const { messages, mutation } = pickMessages(method, random);
        const c: FuzzCase = {
          method: `${method.service}/${method.name}`,
          mutation,
          bytes: messages.reduce((n, m) => n + m.length, 0),
          code: "",
          details: "",
          ms: 0,
        };
        inFlight.add(c);
        const t0 = Date.now();
        const { code, details } = await call(rawClient(), method, messages, mutation, random);
        inFlight.delete(c);
        if (code === grpc.status.UNAVAILABLE || cluster.runtime !== instance) {
          // A call that met the runtime dying is a casualty of that death (listed with it), not a status the method returned.
          const died = cluster.runtime !== instance || (instance && (await instance.proc.exitedWithin(500)));
          if (died) {
            result.casualties++;
            next--;
            continue;
          }
        }
        c.ms = Date.now() - t0;
        c.code = grpc.status[code] ?? String(code);
        c.details = details.slice(0, 300);
        tally(result, c);
      }
    };
    await Promise.all(Array.from({ length: options.parallel }, worker));
    if (result.calls < options.calls) {
      result.stoppedEarly =
        result.runtimeDeaths > FUZZ_MAX_DEATHS ? `after ${result.runtimeDeaths} runtime deaths` : `at its ${options.budgetMs / 1000} s budget`;
    }
    clearInterval(sampler);
    sampler = undefined;
    if (restarting) await restarting;
    result.rssAfterMb = rssMb(rt.proc.pid);
    await sleep(5_000);
    result.rssSettledMb = rssMb(rt.proc.pid);
    say(
      `  ${result.calls} fuzz calls; ${Object.entries(result.byCode)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}`,
    );
    return result;
  } finally {
    if (sampler) clearInterval(sampler);
    client?.close();
    if (cluster.runtime) await cluster.stopRuntime("SIGKILL").catch(() => undefined);
    await cluster.stopAll();
  }
}

function tally(result: FuzzResult, c: FuzzCase): void {
  result.calls++;
  result.byCode[c.code] = (result.byCode[c.code] ?? 0) + 1;
  const m = (result.byMethod[c.method] ??= {});
  m[c.code] = (m[c.code] ?? 0) + 1;
  const hang = c.code === "DEADLINE_EXCEEDED";
  if (hang) result.hangs++;
  if (c.code === "INTERNAL") result.internal++;
  if (c.code === "UNKNOWN") result.unknown++;
  if ((hang || c.code === "INTERNAL" || c.code === "UNKNOWN") && result.examples.length < 20) result.examples.push(c);
  if (c.ms > result.slowestMs) {
    result.slowestMs = c.ms;
    result.slowest = c;
  }
}

/** VmRSS of a process in MB (0 when it is gone). */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** A seed as is, a mutated seed, or random bytes; streams get a mutated message among their seed's. */
function pickMessages(method: MethodSeeds, random: () => number): { messages: Uint8Array[]; mutation: string } {
  const roll = random();
  const seeds = method.seeds.length > 0 ? method.seeds : [[new Uint8Array(0)]];
  const seed = seeds[Math.floor(random() * seeds.length)]!;
  if (roll < 0.15) return { messages: seed.length ? [...seed] : [], mutation: "seed" };
  if (roll < 0.3 || seed.length === 0) {
    const count = method.kind === "unary" || method.kind === "server_streaming" ? 1 : 1 + Math.floor(random() * 3);
    return { messages: Array.from({ length: count }, () => randomBytes(random)), mutation: "random" };
  }
  const i = Math.floor(random() * seed.length);
  const { bytes, how } = mutate(seed[i]!, random, seeds.flat());
  const messages = [...seed];
  messages[i] = bytes;
  return { messages, mutation: how };
}

function randomBytes(random: () => number): Uint8Array {
  const sizes = [0, 1, 2, 3, 5, 8, 16, 32, 64, 100, 256, 1_000, 4_096];
  const n = random() < 0.03 ? 65_536 : sizes[Math.floor(random() * sizes.length)]!;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(random() * 256);
  return out;
}

const identity = (b: Buffer): Buffer => b;
const asBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

interface Outcome {
  code: grpc.status;
  details: string;
}

/** One call of any kind with a deadline; resolves with its status (OK for a stream that answered). */
function call(client: grpc.Client, method: MethodSeeds, messages: Uint8Array[], mutation: string, random: () => number): Promise<Outcome> {
  const deadline = Date.now() + CHAOS_LIMITS.fuzzDeadlineMs;
  const meta = new grpc.Metadata();
  return new Promise<Outcome>((resolve) => {
    let settled = false;
    const done = (o: Outcome): void => {
      if (settled) return;
      settled = true;
      resolve(o);
    };
    const fromError = (err: grpc.ServiceError | null): void =>
      done(err ? { code: err.code, details: err.details ?? err.message } : { code: grpc.status.OK, details: "" });
    try {
      if (method.kind === "unary") {
        client.makeUnaryRequest(method.path, identity, identity, asBuffer(messages[0] ?? new Uint8Array(0)), meta, { deadline }, fromError);
      } else if (method.kind === "server_streaming") {
        const stream = client.makeServerStreamRequest(method.path, identity, identity, asBuffer(messages[0] ?? new Uint8Array(0)), meta, { deadline });
        // A stream that sends anything has answered: a watch of a live execution stays open by design.
        stream.on("data", () => {
          done({ code: grpc.status.OK, details: "stream answered" });
          stream.cancel();
        });
        stream.on("status", (s: grpc.StatusObject) => done({ code: s.code, details: s.details }));
        stream.on("error", () => undefined);
      } else if (method.kind === "client_streaming") {
        const stream = client.makeClientStreamRequest(method.path, identity, identity, meta, { deadline }, fromError);
        for (const m of messages) stream.write(asBuffer(m));
        stream.end();
      } else {
        void connectStream(client, method, messages, mutation, deadline, meta, random).then(done);
      }
    } catch (err) {
      done({ code: grpc.status.UNKNOWN, details: `client threw: ${(err as Error).message}` });
    }
  });
}

/**
 * WorkerService.Connect: sends the messages and half-closes; the runtime must end the stream. A
 * stream that registered and got an Assign also sends a Result on that live lease, its outputs
 * a deeply nested literal or mutated bytes: a worker is a client too.
 */
function connectStream(
  client: grpc.Client,
  method: MethodSeeds,
  messages: Uint8Array[],
  mutation: string,
  deadline: number,
  meta: grpc.Metadata,
  random: () => number,
): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    const stream = client.makeBidiStreamRequest(method.path, identity, identity, meta, { deadline });
    let ended = false;
    let assigned = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      stream.end();
    };
    stream.on("data", (bytes: Buffer) => {
      if (assigned || ended) return;
      let lease: bigint | undefined;
      try {
        const msg = fromBinary(ServerMessageSchema, bytes);
        if (msg.msg.case === "assign") lease = msg.msg.value.leaseToken;
        if (msg.msg.case === "assigns") lease = msg.msg.value.assigns[0]?.leaseToken;
      } catch {
        return;
      }
      if (lease === undefined) return;
      assigned = true;
      stream.write(asBuffer(abusiveResult(lease, random)));
      end();
    });
    stream.on("status", (s: grpc.StatusObject) => resolve({ code: s.code, details: s.details }));
    stream.on("error", () => undefined);
    for (const m of messages) stream.write(asBuffer(m));
    // A registered stream waits a moment for an Assign before half-closing.
    const registers = mutation === "seed" && messages.length > 0;
    setTimeout(end, registers ? 300 : 0);
  });
}

/** A Result for a live lease whose outputs are hostile: deeply nested, or valid bytes mutated. */
function abusiveResult(lease: bigint, random: () => number): Uint8Array {
  const valid = toBinary(
    WorkerMessageSchema,
    create(WorkerMessageSchema, {
      msg: { case: "result", value: { leaseToken: lease, outcome: { case: "outputs", value: { literals: { y: intLiteral(4) } } } } },
    }),
  );
  if (random() < 0.5) {
    // WorkerMessage.result = 3; Result.lease_token = 1 (varint, tag 0x08), Result.outputs = 2.
    return lengthDelimited(3, concat(Uint8Array.of(0x08), varint(lease), lengthDelimited(2, literalSet("y", deepLiteral(FUZZ_SIZES.deep)))));
  }
  return mutate(valid, random, [valid]).bytes;
}
