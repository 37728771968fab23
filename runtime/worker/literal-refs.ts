// The artifact refs inside literals: every file, directory and dataframe ref at any depth (lists,
// maps, optionals and unions are lists and maps on the wire; structs are JSON and hold none). The
// refs are the decoded messages themselves, so a caller may rewrite their URIs in place; a literal's
// hash is over content hashes, never URIs, so it stays what it was.
import { BlobKind, type BlobRef, type DataFrameRef, type Literal, type LiteralSet } from "../../proto/index.ts";

export interface LiteralRef {
  readonly ref: BlobRef | DataFrameRef;
  /** A directory: `ref` names its manifest, whose files are blobs too. */
  readonly directory: boolean;
}

/** Every ref in `set`, depth first (the runtime bounds a literal's depth at its door). */
export function literalRefs(set: LiteralSet): LiteralRef[] {
  const out: LiteralRef[] = [];
  const stack: Literal[] = Object.values(set.literals);
  while (stack.length > 0) {
    const v = stack.pop()!.value;
    if (v.case === "collection") stack.push(...v.value.items);
    else if (v.case === "map") stack.push(...Object.values(v.value.entries));
    else if (v.case === "blob") out.push({ ref: v.value, directory: v.value.kind === BlobKind.DIRECTORY });
    else if (v.case === "dataframe") out.push({ ref: v.value, directory: false });
  }
  return out;
}
