// Literals nested thousands of levels deep, as bytes: more than protobuf-es writes with the stack,
// so they are written by hand (without recursion), as a hostile client would.

function varint(n: number): number[] {
  const out: number[] = [];
  for (; n > 0x7f; n >>>= 7) out.push((n & 0x7f) | 0x80);
  out.push(n);
  return out;
}

/** The bytes of one Literal: `depth - 1` lists around the integer 1. */
export function deepLiteralBytes(depth: number): number[] {
  // Innermost: Literal { scalar (1) { integer (1): 1 } }.
  const inner = [0x0a, 0x02, 0x08, 0x01];
  const headers: number[][] = [];
  let innerLen = inner.length;
  // Each level: Literal { collection (2) { items (1) { <inner> } } }; a length covers all inside it.
  for (let i = 1; i < depth; i++) {
    const items = [0x0a, ...varint(innerLen)];
    const collection = [0x12, ...varint(items.length + innerLen)];
    headers.push([...collection, ...items]);
    innerLen += collection.length + items.length;
  }
  return [...headers.reverse().flat(), ...inner];
}

/** A LiteralSet { name: <deepLiteralBytes(depth)> }. */
export function deepLiteralSetBytes(name: string, depth: number): Uint8Array {
  const literal = deepLiteralBytes(depth);
  const key = [...new TextEncoder().encode(name)];
  const entry = [0x0a, ...varint(key.length), ...key, 0x12, ...varint(literal.length), ...literal];
  return new Uint8Array([0x0a, ...varint(entry.length), ...entry]);
}

/** CreateExecutionRequest { workflow, inputs: deepLiteralSetBytes(input, depth) }. */
export function deepCreateExecutionBytes(workflow: string, input: string, depth: number): Uint8Array {
  const set = deepLiteralSetBytes(input, depth);
  const name = [...new TextEncoder().encode(workflow)];
  return new Uint8Array([0x0a, ...varint(name.length), ...name, 0x1a, ...varint(set.length), ...set]);
}
