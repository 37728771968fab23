// google.protobuf.Timestamp for the hand codecs: written from epoch milliseconds, read into the
// message protobuf-es builds. weir's times are never before 1970: one that is would be written as
// 1970, and the reader leaves a negative one to protobuf-es.
import { TimestampSchema, type Timestamp } from "@bufbuild/protobuf/wkt";
import { tagOf } from "./field-tag.ts";
import { WireError, type WireReader } from "./reader.ts";
import { putDelimited, putVarintField, varintFieldSize } from "./writer.ts";

const SECONDS = tagOf(TimestampSchema.field.seconds);
const NANOS = tagOf(TimestampSchema.field.nanos);

/** The size of a Timestamp's body for epoch ms, zero fields left out. */
export function timestampSize(ms: number): number {
  if (!(ms > 0)) return 0;
  const seconds = Math.floor(ms / 1000);
  return varintFieldSize(SECONDS, seconds) + varintFieldSize(NANOS, Math.round((ms - seconds * 1000) * 1e6));
}

/** Writes a Timestamp field for epoch ms, its body `size` (timestampSize) bytes. */
export function putTimestamp(out: Uint8Array, at: number, tag: number, ms: number, size: number): number {
  at = putDelimited(out, at, tag, size);
  if (!(ms > 0)) return at;
  const seconds = Math.floor(ms / 1000);
  return putVarintField(out, putVarintField(out, at, SECONDS, seconds), NANOS, Math.round((ms - seconds * 1000) * 1e6));
}

/** Reads a Timestamp's body, which ends at `end`: its two fields and nothing else. */
export function readTimestamp(r: WireReader, end: number): Timestamp {
  const t: Timestamp = { $typeName: "google.protobuf.Timestamp", seconds: 0n, nanos: 0 };
  while (r.pos < end) {
    const tag = r.varint();
    if (tag === SECONDS) t.seconds = BigInt(r.varint());
    else if (tag === NANOS) t.nanos = r.int32();
    else throw new WireError(`Timestamp tag ${tag}`);
  }
  r.done(end);
  return t;
}
