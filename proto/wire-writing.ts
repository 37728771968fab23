// Protobuf binary encoding by hand for the runtime's hot paths (an Assign per attempt down, a Result
// per attempt up): the message is sized first and written into one buffer, where protobuf-es's
// BinaryWriter forks and joins a chunk list for every nested message. Callers follow the .proto
// field by field and are tested against the generated schemas.
import { WireType } from "@bufbuild/protobuf/wire";

/** Writes the tag of a field below 16 (one byte); returns the next position. */
export function putTag(out: Uint8Array, at: number, field: number, wire: WireType): number {
  out[at] = (field << 3) | wire;
  return at + 1;
}

/** The size of a non-negative number's or bigint's varint. */
export function varintSize(v: number | bigint): number {
  let n = 1;
  if (typeof v === "bigint") for (; v > 0x7fn; v >>= 7n) n++;
  else for (; v > 0x7f; v = Math.floor(v / 128)) n++;
  return n;
}

/** Writes a non-negative number's or bigint's varint; returns the next position. */
export function putVarint(out: Uint8Array, at: number, v: number | bigint): number {
  if (typeof v === "bigint") {
    if (v <= MAX_SAFE) v = Number(v);
    else {
      for (; v > 0x7fn; v >>= 7n) out[at++] = Number(v & 0x7fn) | 0x80;
      out[at++] = Number(v);
      return at;
    }
  }
  for (; v > 0x7f; v = Math.floor(v / 128)) out[at++] = (v % 128) | 0x80;
  out[at++] = v;
  return at;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The size of a length-delimited field (tag below 16, length, body) whose body is `size` bytes. */
export function delimitedSize(size: number): number {
  return 1 + varintSize(size) + size;
}

/** Writes a length-delimited field's tag and length (its body comes next); returns the next position. */
export function putDelimited(out: Uint8Array, at: number, field: number, size: number): number {
  return putVarint(out, putTag(out, at, field, WireType.LengthDelimited), size);
}

/** Writes a bytes field; returns the next position. */
export function putBytes(out: Uint8Array, at: number, field: number, bytes: Uint8Array): number {
  at = putDelimited(out, at, field, bytes.byteLength);
  out.set(bytes, at);
  return at + bytes.byteLength;
}

/**
 * Re-frames single-item messages as one batch message: each of `messages` is an outer message with
 * only its item field set (tag `itemTag`, length, body), and a batch item (field 1 of the batch,
 * under `batchField` of the outer message) is the same bytes but for that one tag byte. Both tags
 * must be one byte (field numbers below 16).
 */
export function batchOfSingles(messages: readonly Uint8Array[], itemTag: number, batchField: number): Uint8Array {
  const batchItemTag = (1 << 3) | WireType.LengthDelimited;
  let size = 0;
  for (const m of messages) {
    if (m[0] !== itemTag) throw new Error(`batchOfSingles: a message does not start with tag ${itemTag}`);
    size += m.byteLength;
  }
  const out = new Uint8Array(delimitedSize(size));
  let at = putDelimited(out, 0, batchField, size);
  for (const m of messages) {
    out.set(m, at);
    out[at] = batchItemTag;
    at += m.byteLength;
  }
  return out;
}

function timestampParts(ms: number): [seconds: number, nanos: number] {
  const seconds = Math.floor(Math.max(0, ms) / 1000);
  return [seconds, Math.round((Math.max(0, ms) - seconds * 1000) * 1e6)];
}

/** The size of a google.protobuf.Timestamp's body for epoch ms (≥ 0), zero fields left out. */
export function timestampSize(ms: number): number {
  const [seconds, nanos] = timestampParts(ms);
  return (seconds ? 1 + varintSize(seconds) : 0) + (nanos ? 1 + varintSize(nanos) : 0);
}

/** Writes a Timestamp field of `size` (timestampSize) bytes; returns the next position. */
export function putTimestamp(out: Uint8Array, at: number, field: number, ms: number, size: number): number {
  const [seconds, nanos] = timestampParts(ms);
  at = putDelimited(out, at, field, size);
  if (seconds) at = putVarint(out, putTag(out, at, 1, WireType.Varint), seconds);
  if (nanos) at = putVarint(out, putTag(out, at, 2, WireType.Varint), nanos);
  return at;
}

const utf8 = new TextEncoder();

/** The UTF-8 size of a string. */
export function stringSize(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/** Writes a string field of `size` (stringSize) bytes; returns the next position. */
export function putString(out: Uint8Array, at: number, field: number, s: string, size: number): number {
  at = putDelimited(out, at, field, size);
  if (size === s.length)
    for (let i = 0; i < size; i++) out[at + i] = s.charCodeAt(i); // ASCII: one byte a character
  else utf8.encodeInto(s, out.subarray(at, at + size));
  return at + size;
}
