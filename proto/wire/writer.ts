// The one protobuf writer of the hand codecs: a message is sized first and written front to back
// into one buffer of its exact size, where protobuf-es's BinaryWriter forks and joins a chunk list
// for every nested message. Each `put*` writes at `at` and returns the next position; tags come
// from field-tag.ts. Browser-safe (no Buffer).

/** The size of a non-negative integer's varint (up to 2^53). */
export function varintSize(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  if (v < 0x800000000) return 5; // epoch seconds and nanos
  let n = 6;
  for (v = Math.floor(v / 0x40000000000); v > 0; v = Math.floor(v / 128)) n++;
  return n;
}

/** Writes a non-negative integer's varint (up to 2^53). */
export function putVarint(out: Uint8Array, at: number, v: number): number {
  if (v < 0x80) {
    out[at] = v;
    return at + 1;
  }
  // Division above 31 bits, shifts below (bit operations are 32-bit).
  for (; v > 0x7fffffff; v = Math.floor(v / 128)) out[at++] = (v % 128) | 0x80;
  for (; v > 0x7f; v >>>= 7) out[at++] = (v & 0x7f) | 0x80;
  out[at++] = v;
  return at;
}

/** The size of a uint64's varint. */
export function uint64Size(v: bigint): number {
  if (v <= MAX_SAFE) return varintSize(Number(v));
  let n = 1;
  for (; v > 0x7fn; v >>= 7n) n++;
  return n;
}

/** Writes a uint64's varint. */
export function putUint64(out: Uint8Array, at: number, v: bigint): number {
  if (v <= MAX_SAFE) return putVarint(out, at, Number(v));
  for (; v > 0x7fn; v >>= 7n) out[at++] = Number(v & 0x7fn) | 0x80;
  out[at++] = Number(v);
  return at;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The size of a varint field (tag and value); 0 for a zero value, which proto3 leaves out. */
export function varintFieldSize(tag: number, v: number): number {
  return v ? varintSize(tag) + varintSize(v) : 0;
}

/** Writes a varint field unless its value is zero. */
export function putVarintField(out: Uint8Array, at: number, tag: number, v: number): number {
  return v ? putVarint(out, putVarint(out, at, tag), v) : at;
}

/** The size of a uint64 field; 0 for zero. */
export function uint64FieldSize(tag: number, v: bigint): number {
  return v ? varintSize(tag) + uint64Size(v) : 0;
}

/** Writes a uint64 field unless it is zero. */
export function putUint64Field(out: Uint8Array, at: number, tag: number, v: bigint): number {
  return v ? putUint64(out, putVarint(out, at, tag), v) : at;
}

/** The size of a length-delimited field (tag, length, body) whose body is `size` bytes. */
export function delimitedSize(tag: number, size: number): number {
  return varintSize(tag) + varintSize(size) + size;
}

/** Writes a length-delimited field's tag and length (its body comes next). */
export function putDelimited(out: Uint8Array, at: number, tag: number, size: number): number {
  return putVarint(out, putVarint(out, at, tag), size);
}

/** Writes a bytes field (an encoded sub-message or bytes), empty ones included. */
export function putBytes(out: Uint8Array, at: number, tag: number, bytes: Uint8Array): number {
  at = putDelimited(out, at, tag, bytes.byteLength);
  out.set(bytes, at);
  return at + bytes.byteLength;
}

/** The UTF-8 size of a string (a lone surrogate counts 3 bytes: it is written as U+FFFD). */
export function stringSize(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c < 0xdc00 && c >= 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a surrogate pair: two UTF-16 units, four bytes
      i++;
    } else n += 2;
  }
  return n;
}

const utf8 = new TextEncoder();

/** Writes a string field of `size` (stringSize) bytes. */
export function putString(out: Uint8Array, at: number, tag: number, s: string, size: number): number {
  at = putDelimited(out, at, tag, size);
  if (size === s.length)
    for (let i = 0; i < size; i++) out[at + i] = s.charCodeAt(i); // ASCII: one byte a character
  else utf8.encodeInto(s, out.subarray(at, at + size));
  return at + size;
}

/**
 * Re-frames single-item messages as one batch message: each of `messages` is an outer message with
 * only its item field set (tag `itemTag`, length, body), and a batch item (`batchItemTag`, inside
 * the batch field `batchTag` of the outer message) is the same bytes but for that one tag byte.
 * Both item tags must be one byte (field numbers below 16).
 */
export function batchOfSingles(messages: readonly Uint8Array[], itemTag: number, batchTag: number, batchItemTag: number): Uint8Array {
  if (itemTag > 0x7f || batchItemTag > 0x7f) throw new Error("batchOfSingles: item tags must be one byte");
  let size = 0;
  for (const m of messages) {
    if (m[0] !== itemTag) throw new Error(`batchOfSingles: a message does not start with tag ${itemTag}`);
    size += m.byteLength;
  }
  const out = new Uint8Array(delimitedSize(batchTag, size));
  let at = putDelimited(out, 0, batchTag, size);
  for (const m of messages) {
    out.set(m, at);
    out[at] = batchItemTag;
    at += m.byteLength;
  }
  return out;
}
