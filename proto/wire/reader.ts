// The one protobuf reader of the hand codecs: varints, tags, length-delimited fields and skips over
// one buffer. It reads only what it is sure of and throws WireError on anything else (a number past
// what its field may hold, a field past its message's end, bad UTF-8), so a codec can hand such
// bytes to protobuf-es, which decides. A read past the buffer's end only ever ends in a WireError:
// a missing byte reads as undefined, which is no varint's last byte and fails every bound.
import { WireType } from "@bufbuild/protobuf/wire";

/** The bytes are not what the hand reader expects; protobuf-es decides what they are. */
export class WireError extends Error {
  override readonly name = "WireError";
}

// Strict like protobuf-es's proto3 strings; a leading U+FEFF is text, not a byte-order mark.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Strings shorter than this are read byte by byte when ASCII (cheaper than a TextDecoder call). */
const INLINE_ASCII = 64;

export class WireReader {
  pos = 0;

  constructor(readonly buf: Uint8Array) {}

  /** An unsigned varint up to 2^53 - 1 (uint32, enums, int64 that fit a number, tags, lengths). */
  varint(): number {
    const buf = this.buf;
    let pos = this.pos;
    let b = buf[pos++]!;
    if (b < 0x80) {
      this.pos = pos;
      return b;
    }
    let x = b & 0x7f;
    for (let shift = 7; shift < 28; shift += 7) {
      b = buf[pos++]!;
      x |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return x;
      }
    }
    // Past 28 bits, multiply: bit operations are 32-bit.
    for (let mul = 2 ** 28; mul < 2 ** 56; mul *= 128) {
      b = buf[pos++]!;
      x += (b & 0x7f) * mul;
      if (b < 0x80) {
        if (x > Number.MAX_SAFE_INTEGER) break;
        this.pos = pos;
        return x;
      }
    }
    throw new WireError("a varint past 2^53 where a number was expected");
  }

  /** A uint32 value. */
  uint32(): number {
    const v = this.varint();
    if (v > 0xffffffff) throw new WireError("a uint32 past 2^32");
    return v;
  }

  /** An int32 or enum value that is not negative (weir writes no negative ones; protobuf-es reads those). */
  int32(): number {
    const v = this.varint();
    if (v > 0x7fffffff) throw new WireError("a negative int32");
    return v;
  }

  /** A uint64 value, any of them. */
  uint64(): bigint {
    const buf = this.buf;
    let pos = this.pos;
    let x = 0;
    // Seven bytes (49 bits) are exact as a number; leases are rarely longer.
    for (let mul = 1; mul < 2 ** 49; mul *= 128) {
      const b = buf[pos++]!;
      x += (b & 0x7f) * mul;
      if (b < 0x80) {
        this.pos = pos;
        return BigInt(x);
      }
    }
    let big = BigInt(x);
    for (let shift = 49n; shift < 70n; shift += 7n) {
      const b = buf[pos++]!;
      big |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return BigInt.asUintN(64, big);
      }
    }
    throw new WireError("a varint longer than 10 bytes");
  }

  /** Reads a length; where the field it prefixes ends, which must be within `limit`. */
  delimited(limit: number): number {
    const end = this.varint() + this.pos;
    if (end > limit) throw new WireError("a field runs past the end of its message");
    return end;
  }

  /** A length-delimited field's bytes, as a view into the buffer. */
  bytes(limit: number): Uint8Array {
    const end = this.delimited(limit);
    const bytes = this.buf.subarray(this.pos, end);
    this.pos = end;
    return bytes;
  }

  string(limit: number): string {
    const end = this.delimited(limit);
    const buf = this.buf;
    const start = this.pos;
    this.pos = end;
    if (end - start < INLINE_ASCII) {
      let s = "";
      for (let i = start; i < end; i++) {
        const c = buf[i]!;
        if (c > 0x7f) return decodeUtf8(buf.subarray(start, end));
        s += String.fromCharCode(c);
      }
      return s;
    }
    return decodeUtf8(buf.subarray(start, end));
  }

  /** Skips the value of a field whose tag was just read. */
  skip(tag: number, limit: number): void {
    switch (tag & 7) {
      case WireType.Varint:
        this.uint64();
        break;
      case WireType.Bit64:
        this.pos += 8;
        break;
      case WireType.LengthDelimited:
        this.pos = this.delimited(limit);
        break;
      case WireType.Bit32:
        this.pos += 4;
        break;
      default:
        throw new WireError(`wire type ${tag & 7}`);
    }
    if (this.pos > limit) throw new WireError("a field runs past the end of its message");
  }

  /** Checks that a message ended exactly at `end`. */
  done(end: number): void {
    if (this.pos !== end) throw new WireError("a message does not end where its length says");
  }
}

/**
 * The items of a message whose only field is one item (`itemTag`) or a batch of them (`batchTag`,
 * its items under `batchItemTag`), each read by `readItem` up to its end: the reading side of
 * writer.ts's batchOfSingles. Undefined for any other message and for bytes the reader is unsure of
 * (protobuf-es decides those).
 */
export function readSingleOrBatch<T>(
  bytes: Uint8Array,
  itemTag: number,
  batchTag: number,
  batchItemTag: number,
  readItem: (r: WireReader, end: number) => T,
): T[] | undefined {
  if (bytes.length === 0) return undefined;
  const r = new WireReader(bytes);
  const end = bytes.length;
  try {
    const tag = r.varint();
    if ((tag !== itemTag && tag !== batchTag) || r.delimited(end) !== end) return undefined;
    if (tag === itemTag) return [readItem(r, end)];
    const items: T[] = [];
    while (r.pos < end) {
      if (r.varint() !== batchItemTag) return undefined;
      items.push(readItem(r, r.delimited(end)));
    }
    return items;
  } catch (err) {
    if (err instanceof WireError) return undefined;
    throw err;
  }
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new WireError("a string is not UTF-8");
  }
}
