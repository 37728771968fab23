// The content hash of a Literal: sha256 over a canonical encoding, so equal values hash equally
// wherever they are stored (map keys and JSON object keys sorted; refs hashed by their bytes).
import { createHash } from "node:crypto";
import type { Literal } from "../proto/messages.ts";

/** Hex sha256 of the literal's canonical encoding. The runtime's cache keys use it. */
export function hashLiteral(lit: Literal): string {
  return createHash("sha256").update(canonicalLiteral(lit)).digest("hex");
}

/**
 * Sets `hash` on the literal and on every literal inside it, computed here whatever they carried
 * (a client's hash is never trusted), children first so each is hashed once; `hashed` is told of
 * each literal as it is done. Recurses once per level: callers bound the depth first.
 */
export function rehashLiteral(lit: Literal, hashed?: (lit: Literal) => void): string {
  const v = lit.value;
  if (v.case === "collection") for (const item of v.value.items) rehashLiteral(item, hashed);
  else if (v.case === "map") for (const item of Object.values(v.value.entries)) rehashLiteral(item, hashed);
  lit.hash = createHash("sha256")
    .update(canonicalLiteral(lit, (child) => child.hash))
    .digest("hex");
  hashed?.(lit);
  return lit.hash;
}

/**
 * The canonical text a literal hashes to. Each form starts with a tag so no two kinds collide.
 * `childHash` gives a list item's or map entry's hash (computed afresh unless told otherwise).
 */
export function canonicalLiteral(lit: Literal, childHash: (child: Literal) => string = hashLiteral): string {
  const v = lit.value;
  switch (v.case) {
    case "scalar": {
      const s = v.value.value;
      switch (s.case) {
        case "integer":
          return `i:${s.value.toString()}`;
        case "float":
          return `f:${Object.is(s.value, -0) ? "-0" : String(s.value)}`;
        case "string":
          return `s:${JSON.stringify(s.value)}`;
        case "boolean":
          return `b:${s.value}`;
        case "date":
          return `d:${s.value}`;
        case "datetime":
          return `t:${s.value.seconds}.${s.value.nanos}`;
        case "duration":
          return `u:${s.value.seconds}.${s.value.nanos}`;
        case "enumValue":
          return `e:${JSON.stringify(s.value)}`;
        case "json":
          return `j:${canonicalJson(s.value)}`;
        default:
          return "scalar:empty";
      }
    }
    case "collection":
      return `L[${v.value.items.map((item) => childHash(item)).join(",")}]`;
    case "map": {
      const keys = Object.keys(v.value.entries).sort();
      return `M{${keys.map((k) => `${JSON.stringify(k)}:${childHash(v.value.entries[k])}`).join(",")}}`;
    }
    case "none":
      return "N";
    case "blob":
      // The URI is where the bytes happen to live; the value is the bytes.
      return `B:${v.value.kind}:${JSON.stringify(v.value.format)}:${v.value.sha256}`;
    case "dataframe":
      return `D:${v.value.sha256}`;
    default:
      return "empty";
  }
}

/** JSON text with object keys sorted at every depth; unparsable text is hashed as is. */
function canonicalJson(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return JSON.stringify(text);
  }
  return JSON.stringify(sortKeys(parsed));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}
