import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { describe, expect, it } from "vitest";
import { WireError, WireReader } from "../../../proto/wire/reader.ts";
import { putVarint, putUint64, stringSize, uint64Size, varintSize } from "../../../proto/wire/writer.ts";

const bytesOf = (write: (w: BinaryWriter) => unknown) => {
  const w = new BinaryWriter();
  write(w);
  return w.finish();
};

describe("WireReader", () => {
  it("reads varints at every byte boundary as protobuf-es writes them, and the writer sizes them alike", () => {
    for (let bits = 0; bits <= 53; bits++) {
      for (const v of [2 ** bits - 1, 2 ** bits, 2 ** bits + 1].filter((x) => x <= Number.MAX_SAFE_INTEGER)) {
        const bytes = bytesOf((w) => w.uint64(v));
        const r = new WireReader(bytes);
        expect(r.varint(), `${v}`).toBe(v);
        expect(r.pos).toBe(bytes.length);
        expect(varintSize(v), `${v}`).toBe(bytes.length);
        const out = new Uint8Array(10);
        expect(out.subarray(0, putVarint(out, 0, v)), `${v}`).toEqual(bytes);
      }
    }
  });

  it("reads every uint64, and refuses a number past 2^53 where a number is asked", () => {
    for (const v of [0n, 127n, 128n, 2n ** 49n - 1n, 2n ** 49n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n]) {
      const bytes = bytesOf((w) => w.uint64(v));
      expect(new WireReader(bytes).uint64()).toBe(v);
      expect(uint64Size(v)).toBe(bytes.length);
      const out = new Uint8Array(10);
      expect(out.subarray(0, putUint64(out, 0, v))).toEqual(bytes);
    }
    expect(() => new WireReader(bytesOf((w) => w.uint64(2n ** 53n))).varint()).toThrow(WireError);
    expect(() => new WireReader(bytesOf((w) => w.uint64(2n ** 32n))).uint32()).toThrow(WireError);
    expect(() => new WireReader(bytesOf((w) => w.int32(-1))).int32()).toThrow(WireError);
    expect(() => new WireReader(new Uint8Array(11).fill(0x80)).uint64()).toThrow(WireError);
  });

  it("ends every read past the bytes in a WireError, never a made-up value", () => {
    const cut = bytesOf((w) => w.uint64(2n ** 60n)).subarray(0, 4);
    expect(() => new WireReader(cut).varint()).toThrow(WireError);
    expect(() => new WireReader(cut).uint64()).toThrow(WireError);
    const string = bytesOf((w) => w.string("hello"));
    expect(() => new WireReader(string).string(string.length - 1)).toThrow(WireError);
    const r = new WireReader(string);
    r.pos = 2;
    expect(() => r.done(string.length)).toThrow(WireError);
  });

  it("reads strings as protobuf-es does (a leading U+FEFF kept), and refuses bad UTF-8", () => {
    for (const s of ["", "ascii", "\uFEFFbom", "é".repeat(100), "😀𝄞 日本", "x".repeat(63), "x".repeat(64)]) {
      const bytes = bytesOf((w) => w.string(s));
      expect(new WireReader(bytes).string(bytes.length)).toBe(s);
      const length = new WireReader(bytes);
      expect(stringSize(s)).toBe(length.delimited(bytes.length) - length.pos);
    }
    expect(() => new WireReader(new Uint8Array([2, 0xc3, 0x28])).string(3)).toThrow(WireError);
  });

  it("skips each wire type, and refuses groups", () => {
    const bytes = bytesOf((w) =>
      w
        .tag(1, WireType.Varint)
        .uint64(2n ** 64n - 1n)
        .tag(2, WireType.Bit64)
        .double(1.5)
        .tag(3, WireType.LengthDelimited)
        .bytes(new Uint8Array(300))
        .tag(4, WireType.Bit32)
        .float(2)
        .tag(5, WireType.Varint)
        .int32(7),
    );
    const r = new WireReader(bytes);
    for (let i = 0; i < 4; i++) r.skip(r.varint(), bytes.length);
    expect([r.varint(), r.varint()]).toEqual([(5 << 3) | WireType.Varint, 7]);
    const group = new WireReader(bytesOf((w) => w.tag(1, WireType.StartGroup)));
    expect(() => group.skip(group.varint(), 10)).toThrow(WireError);
  });
});
