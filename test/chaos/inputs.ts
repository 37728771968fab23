// The inputs the suite sends, as LiteralSet initialisers: the fixture's `fan` (items 0..n-1, a
// duration, a tag) and `single` workflows.
export const intLiteral = (n: number) => ({ value: { case: "scalar" as const, value: { value: { case: "integer" as const, value: BigInt(n) } } } });
export const stringLiteral = (s: string) => ({ value: { case: "scalar" as const, value: { value: { case: "string" as const, value: s } } } });
export const listLiteral = (ns: number[]) => ({ value: { case: "collection" as const, value: { items: ns.map(intLiteral) } } });

/** A `fan` execution: items 0..n-1, each item's body sleeping `ms` (0: 10–50 ms), `tag` bound into every item. */
export function fanInputs(items: number, ms: number, tag: string) {
  return { literals: { items: listLiteral(Array.from({ length: items }, (_, i) => i)), ms: intLiteral(ms), tag: stringLiteral(tag) } };
}

export function singleInputs(item: number, ms: number, tag: string) {
  return { literals: { item: intLiteral(item), ms: intLiteral(ms), tag: stringLiteral(tag) } };
}
