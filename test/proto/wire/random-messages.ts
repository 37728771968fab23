// Seeded pseudo-random messages for the hand codecs' differential tests: the same seed gives the
// same messages, so a failure names its seed and replays. Values lean to the edges: empty and
// default fields, strings in every script (surrogate pairs, a leading U+FEFF, NUL), varints at
// their byte boundaries and uint64s up to 2^64 - 1, nested lists and maps of literals.
import { create } from "@bufbuild/protobuf";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { timestampFromMs, TimestampSchema } from "@bufbuild/protobuf/wkt";
import {
  ErrorKind,
  ExecutionErrorSchema,
  ExecutionState,
  LiteralSchema,
  LiteralSetSchema,
  NodeState,
  SimpleType,
  SourceLocationSchema,
  TaskTemplateSchema,
  type ExecutionError,
  type Literal,
  type LiteralSet,
  type SourceLocation,
  type TaskTemplate,
} from "../../../proto/index.ts";

export class Random {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1) (mulberry32). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  list<T>(max: number, make: () => T): T[] {
    return Array.from({ length: this.int(max + 1) }, make);
  }

  /** Valid Unicode (no lone surrogate: those cannot survive any encoder), often empty or ASCII. */
  string(): string {
    const kind = this.int(6);
    if (kind === 0) return "";
    if (kind === 1) return this.ascii(1 + this.int(20));
    if (kind === 2) return this.ascii(40 + this.int(300)); // past one length byte
    let s = "";
    for (let n = 1 + this.int(kind === 5 ? 150 : 12); n > 0; n--) s += this.pick(PIECES);
    return s;
  }

  ascii(length: number): string {
    let s = "";
    for (let i = 0; i < length; i++) s += String.fromCharCode(32 + this.int(95));
    return s;
  }

  /** A uint32, at a varint byte boundary half the time. */
  uint32(): number {
    if (this.chance(0.3)) return 0;
    if (this.chance(0.5)) return Math.min(2 ** 32 - 1, Math.max(0, this.pick(BOUNDARIES_32) + this.int(3) - 1));
    return this.int(2 ** 32);
  }

  /** A uint64 as a bigint, up to 2^64 - 1. */
  uint64(): bigint {
    if (this.chance(0.2)) return 0n;
    if (this.chance(0.4)) return this.pick([1n, 127n, 128n, 2n ** 31n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n]);
    return BigInt(this.int(2 ** 32)) * 2n ** 32n + BigInt(this.int(2 ** 32));
  }

  /** An int64 for a literal, negatives included. */
  int64(): bigint {
    const v = this.uint64() & (2n ** 63n - 1n);
    return this.chance(0.3) ? -v : v;
  }

  /** Epoch ms as weir keeps them: a whole number, 0 for none, up to the year ~2248. */
  ms(): number {
    if (this.chance(0.25)) return 0;
    if (this.chance(0.2)) return this.pick([1, 999, 1000, 1001, 86_400_000, 1_700_000_000_000, 2 ** 43 - 1]);
    return this.int(2 ** 43);
  }

  /** A Timestamp as any writer may send it: nanos to the nanosecond. */
  timestamp(): Timestamp {
    if (this.chance(0.1)) return create(TimestampSchema);
    return create(TimestampSchema, { seconds: BigInt(this.int(2 ** 40)), nanos: this.chance(0.2) ? 0 : this.int(1_000_000_000) });
  }

  /** A Timestamp from whole ms (what the hand writers write), or undefined. */
  msTimestamp(): Timestamp | undefined {
    const ms = this.ms();
    return ms ? timestampFromMs(ms) : undefined;
  }

  nodeState(): NodeState {
    return this.chance(0.05) ? (99 as NodeState) : this.int(NodeState.CACHED + 1); // 99: a state a newer runtime may add
  }

  executionState(): ExecutionState {
    return this.int(ExecutionState.TERMINATED + 1);
  }

  literal(depth = 0): Literal {
    const hash = this.chance(0.5) ? this.ascii(64) : "";
    const kind = depth >= 3 ? 0 : this.int(4);
    if (kind === 1) return create(LiteralSchema, { value: { case: "collection", value: { items: this.list(4, () => this.literal(depth + 1)) } }, hash });
    if (kind === 2) return create(LiteralSchema, { value: { case: "map", value: { entries: this.entries(() => this.literal(depth + 1)) } }, hash });
    if (kind === 3) return create(LiteralSchema, { value: { case: "none", value: {} }, hash });
    const scalars = [
      () => ({ case: "integer" as const, value: this.int64() }),
      () => ({ case: "float" as const, value: (this.next() - 0.5) * 10 ** this.int(300) }),
      () => ({ case: "string" as const, value: this.string() }),
      () => ({ case: "boolean" as const, value: this.chance(0.5) }),
      () => ({ case: "datetime" as const, value: this.timestamp() }),
      () => ({ case: "json" as const, value: JSON.stringify({ k: this.string() }) }),
    ];
    return create(LiteralSchema, { value: { case: "scalar", value: { value: this.pick(scalars)() } }, hash });
  }

  entries<T>(make: () => T): Record<string, T> {
    const out: Record<string, T> = {};
    for (let n = this.int(4); n > 0; n--) out[this.string()] = make();
    return out;
  }

  literalSet(): LiteralSet {
    return create(LiteralSetSchema, { literals: this.entries(() => this.literal()) });
  }

  error(): ExecutionError {
    return create(ExecutionErrorSchema, {
      code: this.pick(["", "TASK_FAILED", "OUTPUT_INVALID"]),
      message: this.string(),
      kind: this.int(ErrorKind.SYSTEM + 1),
      nodeId: this.string(),
    });
  }

  /** An attempt's GPU indices: none most often, else a few devices, large indices included. */
  gpus(): number[] {
    return this.chance(0.5) ? [] : this.list(4, () => (this.chance(0.8) ? this.int(8) : this.uint32()));
  }

  source(): SourceLocation {
    return create(SourceLocationSchema, { file: this.string(), line: this.uint32(), column: this.uint32() });
  }

  /** A TaskTemplate that is never empty (an Assign carrying an empty one reads as carrying none). */
  task(): TaskTemplate {
    const variable = () => ({
      name: this.string(),
      type: { type: { case: "simple" as const, value: this.int(SimpleType.ANY + 1) } },
      description: this.string(),
    });
    return create(TaskTemplateSchema, {
      name: this.ascii(1 + this.int(12)),
      version: this.ascii(64),
      interface: { inputs: this.list(3, variable), outputs: this.list(2, variable) },
      retries: this.chance(0.5) ? { attempts: this.uint32(), systemAttempts: this.uint32() } : undefined,
      timeout: this.chance(0.5) ? { seconds: BigInt(this.int(100_000)) } : undefined,
      interruptible: this.chance(0.2),
      runtime: this.chance(0.5)
        ? { case: "node", value: { module: this.string(), exportName: this.string() } }
        : { case: "command", value: { command: this.list(3, () => this.string()), env: this.entries(() => this.string()) } },
      source: this.chance(0.5) ? this.source() : undefined,
    });
  }
}

/** Pieces of text in several scripts and widths: 2-, 3- and 4-byte UTF-8, a BOM, NUL. */
const PIECES = ["a", "Z", " ", "é", "ü", "ß", "Ω", "日本", "☃", "€", "😀", "𝄞", "\uFEFF", "\u0000", "\n", "نص"];

const BOUNDARIES_32 = [1, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455, 268_435_456, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1];
