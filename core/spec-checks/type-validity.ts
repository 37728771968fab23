// Every type in an interface must be fully set: a hand-edited spec may leave a oneof, an Arrow
// type id or a width empty, and the runtime cannot check values against such a type.
import { ArrowTypeId, SimpleType } from "../../proto/messages.ts";
import type { ArrowType, LiteralType } from "../../proto/messages.ts";

/** Why the type is not well formed, or undefined when it is. */
export function typeProblem(t: LiteralType | undefined): string | undefined {
  if (t === undefined) return "no type is set";
  const v = t.type;
  switch (v.case) {
    case "simple":
      return v.value === SimpleType.UNSPECIFIED ? "the simple type is unspecified" : undefined;
    case "enumType": {
      if (v.value.values.length === 0) return "the enum has no values";
      const dup = v.value.values.find((x, i) => v.value.values.indexOf(x) !== i);
      return dup === undefined ? undefined : `the enum lists '${dup}' twice`;
    }
    case "blob":
      return v.value.kind === 0 ? "the blob kind (file or directory) is unspecified" : undefined;
    case "collection":
      return typeProblem(v.value.item);
    case "map":
      return typeProblem(v.value.value);
    case "optional":
      return typeProblem(v.value.inner);
    case "union":
      if (v.value.variants.length === 0) return "the union has no variants";
      return v.value.variants.map(typeProblem).find((p) => p !== undefined);
    case "struct":
      for (const f of v.value.fields) {
        const p = typeProblem(f.type);
        if (p !== undefined) return `field '${f.name}': ${p}`;
      }
      return undefined;
    case "dataframe":
      for (const c of v.value.columns) {
        const p = arrowProblem(c.type);
        if (p !== undefined) return `column '${c.name}': ${p}`;
      }
      return undefined;
    default:
      return "no type is set";
  }
}

const intWidths = new Set([8, 16, 32, 64]);
const floatWidths = new Set([16, 32, 64]);

function arrowProblem(a: ArrowType | undefined): string | undefined {
  if (a === undefined) return "no Arrow type is set";
  switch (a.id) {
    case ArrowTypeId.UNSPECIFIED:
      return "the Arrow type id is unspecified";
    case ArrowTypeId.INT:
      return intWidths.has(a.bitWidth) ? undefined : `an integer column must be 8, 16, 32 or 64 bits, not ${a.bitWidth}`;
    case ArrowTypeId.FLOAT:
      return floatWidths.has(a.bitWidth) ? undefined : `a float column must be 16, 32 or 64 bits, not ${a.bitWidth}`;
    case ArrowTypeId.DATE:
    case ArrowTypeId.TIMESTAMP:
    case ArrowTypeId.DURATION:
      return a.unit === 0 ? "the time unit is unspecified" : undefined;
    case ArrowTypeId.DECIMAL:
      return a.precision === 0 ? "a decimal needs a precision" : undefined;
    case ArrowTypeId.LIST:
    case ArrowTypeId.DICTIONARY:
      if (a.children.length !== 1) return `a ${a.id === ArrowTypeId.LIST ? "list" : "dictionary"} needs exactly one child`;
      return arrowProblem(a.children[0].type);
    case ArrowTypeId.STRUCT:
      for (const c of a.children) {
        const p = arrowProblem(c.type);
        if (p !== undefined) return `field '${c.name}': ${p}`;
      }
      return undefined;
    default:
      return undefined;
  }
}
