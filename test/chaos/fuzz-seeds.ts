// What the fuzz phase starts from, per method: valid requests (so mutations reach deep code) and
// hostile ones (64 KiB and 128 KiB ids and names, paths that climb out, a deeply nested literal),
// as protobuf bytes. Streams are lists of messages. Methods without seeds here still get random
// bytes and mutated empty messages, so a method added to the protocol is fuzzed too.
import { create, toBinary, type DescMessage } from "@bufbuild/protobuf";
import { BlobKind, CompiledWorkflowSchema, AdminService, WorkerMessageSchema, WorkerService, type CompiledWorkflow } from "../../proto/index.ts";
import { fanInputs, intLiteral as intLit, singleInputs, stringLiteral as strLit } from "./inputs.ts";

/** Protobuf by hand, for what protobuf-es would refuse (or recurse too deeply) to write. */
export function varint(value: number | bigint): Uint8Array {
  const out: number[] = [];
  let n = BigInt(value);
  while (n > 0x7fn) {
    out.push(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  out.push(Number(n));
  return Uint8Array.from(out);
}
export function lengthDelimited(field: number, bytes: Uint8Array): Uint8Array {
  return concat(varint((field << 3) | 2), varint(bytes.length), bytes);
}
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A Literal nested `depth` collections deep around the integer 1 (Literal.collection = 2, LiteralCollection.items = 1). */
export function deepLiteral(depth: number): Uint8Array {
  // Literal{scalar{integer: 1}}: Literal.scalar = 1, Scalar.integer = 1 (varint).
  let lit = lengthDelimited(1, Uint8Array.from([0x08, 0x01]));
  for (let i = 0; i < depth; i++) lit = lengthDelimited(2, lengthDelimited(1, lit));
  return lit;
}
/** LiteralSet{literals: {name: literal}} (LiteralSet.literals = 1; map entry key = 1, value = 2). */
export function literalSet(name: string, literal: Uint8Array): Uint8Array {
  return lengthDelimited(1, concat(lengthDelimited(1, utf8(name)), lengthDelimited(2, literal)));
}

export const FUZZ_SIZES = Object.freeze({ long: 64 * 1024, longer: 128 * 1024, deep: 5_000 });

export interface FuzzContext {
  /** Specs compiled from the chaos fixture. */
  specs: { fan: CompiledWorkflow; single: CompiledWorkflow };
  /** Ids of executions that exist on the fuzz runtime. */
  executions: string[];
}

export interface MethodSeeds {
  /** "/weir.v1.AdminService/GetExecution" */
  path: string;
  service: string;
  name: string;
  kind: "unary" | "server_streaming" | "client_streaming" | "bidi_streaming";
  /** Each seed: the request's bytes (unary, server streaming) or its messages' (streams). */
  seeds: Uint8Array[][];
}

const long = "a".repeat(FUZZ_SIZES.long);
const longer = "b".repeat(FUZZ_SIZES.longer);
const climbs = ["../../../x", "/etc/passwd", "..", "a/../../b", "x\u0000y", "%2e%2e%2fx"];

export function fuzzSeeds(ctx: FuzzContext): MethodSeeds[] {
  const existing = ctx.executions[0] ?? "none";
  const renamed = (spec: CompiledWorkflow, name: string): CompiledWorkflow => {
    const copy = create(CompiledWorkflowSchema, spec);
    if (copy.workflow) copy.workflow.name = name;
    return copy;
  };
  const deepSet = literalSet("item", deepLiteral(FUZZ_SIZES.deep));

  const admin: Record<string, Array<Record<string, unknown> | Uint8Array>> = {
    RegisterWorkflow: [
      { spec: ctx.specs.single },
      { spec: ctx.specs.fan },
      {},
      { spec: renamed(ctx.specs.single, long) },
      { spec: renamed(ctx.specs.single, "../../../x") },
    ],
    GetWorkflow: [{ name: "single" }, { name: "fan", version: "nope" }, { name: long }, { name: longer }, ...climbs.map((name) => ({ name }))],
    ListWorkflows: [{}],
    CreateExecution: [
      { workflow: "single", inputs: singleInputs(1, 0, "fuzz") },
      { workflow: "fan", inputs: fanInputs(2, 0, "fuzz") },
      { workflow: "single", executionId: "../../../x", inputs: singleInputs(1, 0, "t") },
      { workflow: long },
      { workflow: "single", executionId: longer, inputs: singleInputs(1, 0, "t") },
      { workflow: "single", inputs: { literals: { item: strLit("not an int"), ms: intLit(-1), tag: intLit(3) } } },
      concat(lengthDelimited(1, utf8("single")), lengthDelimited(3, deepSet)),
    ],
    GetExecution: [{ id: existing }, { id: "nope" }, { id: long }, { id: longer }, ...climbs.map((id) => ({ id }))],
    ListExecutions: [{}, { limit: 4294967295 }, { pageToken: long }, { pageToken: "%%%" }, { state: 99 }, { workflow: long }],
    WatchExecution: [{ id: existing }, { id: existing, endOnly: true }, { id: "nope" }, { id: long }],
    TerminateExecution: [{ id: "nope" }, { id: existing, reason: long }, { id: longer }],
    RecoverExecution: [{ id: "nope" }, { id: existing }, { id: long }],
    ClearNodes: [
      { executionId: existing, nodeIds: ["work"], downstream: true },
      { executionId: existing, nodeIds: Array.from({ length: 10_000 }, (_, i) => `n${i}`) },
      { executionId: long },
    ],
    CreateBackfill: [
      { workflow: "single", start: { seconds: 0n }, end: { seconds: 86_400n }, dryRun: true },
      { workflow: "single", start: { seconds: -62_135_596_800n }, end: { seconds: 253_402_300_799n }, dryRun: true },
      { workflow: long },
    ],
    ListWorkers: [{}],
    GetNodeLogs: [{ executionId: existing, nodeId: "work" }, { executionId: existing, nodeId: long, attempt: 4294967295 }, { executionId: longer }],
    UploadArtifact: [],
  };
  const upload: Array<Array<Record<string, unknown>>> = [
    [{ kind: BlobKind.FILE, data: utf8("hello") }],
    [{ kind: BlobKind.DIRECTORY }, { path: "a.txt", data: utf8("a") }, { path: "../../../escape.txt", data: utf8("x") }],
    [{ kind: BlobKind.DIRECTORY }, { path: "/etc/passwd", data: utf8("x") }],
    [{ kind: 99 }, { data: new Uint8Array(1024) }],
    [],
  ];
  const register = (id: string) => ({
    msg: { case: "register", value: { workerId: id, hostname: "fuzz", pools: ["cpu"], capacity: 2, projectRoot: "/nonexistent" } },
  });
  const connect: Array<Array<Record<string, unknown> | Uint8Array>> = [
    [register("fuzz-a")],
    [register("fuzz-b"), { msg: { case: "heartbeat", value: { running: [1n, 2n, 18446744073709551615n] } } }],
    [register("fuzz-c"), { msg: { case: "result", value: { leaseToken: 999_999n, outcome: { case: "outputs", value: { literals: { y: intLit(1) } } } } } }],
    [{ msg: { case: "result", value: { leaseToken: 1n } } }],
    [register("fuzz-d"), register("fuzz-d")],
    [register(long)],
    [register("fuzz-e"), { msg: { case: "log", value: { leaseToken: 1n, stream: long, text: longer } } }],
    [register("fuzz-f"), lengthDelimited(3, concat(Uint8Array.from([0x08, 0x01]), lengthDelimited(2, deepSet)))],
  ];

  const out: MethodSeeds[] = [];
  for (const service of [AdminService, WorkerService]) {
    for (const method of service.methods) {
      const kind = method.methodKind as MethodSeeds["kind"];
      const encode = (schema: DescMessage, m: Record<string, unknown> | Uint8Array): Uint8Array =>
        m instanceof Uint8Array ? m : toBinary(schema, create(schema, m as never));
      let seeds: Uint8Array[][];
      if (service === WorkerService && method.name === "Connect") seeds = connect.map((msgs) => msgs.map((m) => encode(WorkerMessageSchema, m)));
      else if (method.name === "UploadArtifact") seeds = upload.map((msgs) => msgs.map((m) => encode(method.input, m)));
      else seeds = (admin[method.name] ?? [{}]).map((m) => [encode(method.input, m)]);
      out.push({ path: `/${service.typeName}/${method.name}`, service: service.name, name: method.name, kind, seeds });
    }
  }
  return out;
}
