// Byte-level mutations of a valid (or hostile) protobuf message, as a fuzzer makes them: bit flips,
// truncation, inserted and overwritten bytes, a length prefix made huge, splices with another seed.
// One to three are stacked; the name of each applied mutation is returned, for the report.
type Mutator = (b: Uint8Array, random: () => number, others: readonly Uint8Array[]) => Uint8Array;

const pick = (random: () => number, n: number): number => Math.floor(random() * n);

const MUTATORS: Readonly<Record<string, Mutator>> = Object.freeze({
  flip(b, random) {
    if (b.length === 0) return Uint8Array.of(pick(random, 256));
    const out = b.slice();
    const flips = 1 + pick(random, 4);
    for (let i = 0; i < flips; i++) out[pick(random, out.length)]! ^= 1 << pick(random, 8);
    return out;
  },
  truncate(b, random) {
    return b.slice(0, pick(random, b.length + 1));
  },
  insert(b, random) {
    const at = pick(random, b.length + 1);
    const extra = Uint8Array.from({ length: 1 + pick(random, 16) }, () => pick(random, 256));
    return Uint8Array.from([...b.subarray(0, at), ...extra, ...b.subarray(at)]);
  },
  overwrite(b, random) {
    if (b.length === 0) return Uint8Array.of(0xff);
    const out = b.slice();
    // Interesting bytes: varint continuation, a wire type 7 (invalid), zero, all ones.
    const values = [0x80, 0xff, 0x00, 0x07, 0x7f, 0x0f];
    out[pick(random, out.length)] = values[pick(random, values.length)]!;
    return out;
  },
  hugeLength(b, random) {
    // A length-delimited tag followed by a length far beyond the message.
    const at = pick(random, b.length + 1);
    const tag = ((1 + pick(random, 15)) << 3) | 2;
    return Uint8Array.from([...b.subarray(0, at), tag, 0xff, 0xff, 0xff, 0xff, 0x0f, ...b.subarray(at)]);
  },
  duplicate(b, random) {
    if (b.length === 0) return b;
    const from = pick(random, b.length);
    const to = from + 1 + pick(random, b.length - from);
    const at = pick(random, b.length + 1);
    return Uint8Array.from([...b.subarray(0, at), ...b.subarray(from, to), ...b.subarray(at)]);
  },
  splice(b, random, others) {
    const other = others[pick(random, others.length)] ?? new Uint8Array(0);
    const cut = pick(random, b.length + 1);
    const cutOther = pick(random, other.length + 1);
    return Uint8Array.from([...b.subarray(0, cut), ...other.subarray(cutOther)]);
  },
  concat(b, random, others) {
    // Protobuf merges concatenated messages: fields of two requests at once.
    const other = others[pick(random, others.length)] ?? new Uint8Array(0);
    return Uint8Array.from([...b, ...other]);
  },
});

const NAMES = Object.keys(MUTATORS);

export function mutate(bytes: Uint8Array, random: () => number, others: readonly Uint8Array[]): { bytes: Uint8Array; how: string } {
  let out = bytes;
  const applied: string[] = [];
  const count = 1 + pick(random, 3);
  for (let i = 0; i < count; i++) {
    const name = NAMES[pick(random, NAMES.length)]!;
    out = MUTATORS[name]!(out, random, others);
    applied.push(name);
  }
  return { bytes: out, how: applied.join("+") };
}
