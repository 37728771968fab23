// How deeply literals nest (a list of lists of …), bounded at the door: hashing, encoding and
// validating a literal recurse once per level, so a value nested 100,000 deep would overflow the
// runtime's stack wherever it went next. Measured from bytes (before protobuf-es decodes them, which
// recurses too) and on decoded literals, both without recursion.
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import type { Literal } from "../../proto/index.ts";

export const LITERAL_LIMITS = Object.freeze({
  /**
   * A scalar is 1 deep, a list of scalars 2, and so on. Each level is two messages, so 32 levels stay
   * within protobuf-es's own decoding limit (100 messages) wherever a value is decoded: the runtime,
   * the CLI, the worker and its task threads.
   */
  maxDepth: 32,
});

// What a nested message is, by where it sits: LiteralSet.literals and LiteralMap.entries are map
// entries (value = field 2, a Literal); Literal.collection = 2, Literal.map = 3; LiteralCollection.items = 1.
const Kind = Object.freeze({ Set: 0, Entry: 1, Literal: 2, Collection: 3, Map: 4 });
type Kind = (typeof Kind)[keyof typeof Kind];

function childKind(parent: Kind, field: number): Kind | undefined {
  switch (parent) {
    case Kind.Set:
    case Kind.Map:
      return field === 1 ? Kind.Entry : undefined;
    case Kind.Entry:
      return field === 2 ? Kind.Literal : undefined;
    case Kind.Literal:
      return field === 2 ? Kind.Collection : field === 3 ? Kind.Map : undefined;
    case Kind.Collection:
      return field === 1 ? Kind.Literal : undefined;
  }
}

/**
 * Whether the literals in LiteralSet `bytes` nest deeper than `max`. Bytes that are not a
 * well-formed LiteralSet answer false: decoding them fails on its own.
 */
export function literalSetBytesTooDeep(bytes: Uint8Array, max: number = LITERAL_LIMITS.maxDepth): boolean {
  try {
    const r = new BinaryReader(bytes);
    const stack: Array<{ kind: Kind; end: number; depth: number }> = [{ kind: Kind.Set, end: bytes.length, depth: 0 }];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (r.pos >= top.end) {
        stack.pop();
        continue;
      }
      const [field, wire] = r.tag();
      const kind = wire === WireType.LengthDelimited ? childKind(top.kind, field) : undefined;
      if (kind === undefined) {
        r.skip(wire, field);
        continue;
      }
      const end = r.uint32() + r.pos;
      if (end > top.end) return false;
      const depth = top.depth + (kind === Kind.Literal ? 1 : 0);
      if (depth > max) return true;
      stack.push({ kind, end, depth });
    }
    return false;
  } catch {
    return false;
  }
}

/** Whether any of `literals` nests deeper than `max` (decoded literals, walked without recursion). */
export function literalsTooDeep(literals: Iterable<Literal>, max: number = LITERAL_LIMITS.maxDepth): boolean {
  const stack: Array<[Literal, number]> = [];
  for (const lit of literals) stack.push([lit, 1]);
  while (stack.length) {
    const [lit, depth] = stack.pop()!;
    if (depth > max) return true;
    const v = lit.value;
    if (v.case === "collection") for (const item of v.value.items) stack.push([item, depth + 1]);
    else if (v.case === "map") for (const item of Object.values(v.value.entries)) stack.push([item, depth + 1]);
  }
  return false;
}
