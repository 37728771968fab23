// `parseDuration` and `parseMemory` for user code: core's rules under signatures of the SDK's own,
// so the SDK's declarations (types/) end here instead of reaching into core/ and all it imports.
import { parseDuration as readDuration, parseMemory as readMemory } from "../core/index.ts";

/** `"30m"` → 1_800_000. Components may be combined (`"1h30m"`) and fractional (`"1.5h"`). */
export function parseDuration(text: string): number {
  return readDuration(text);
}

/** `"4Gi"` → 4 * 2^30 bytes; Kubernetes-style suffixes (K, M, G, T and Ki, Mi, Gi, Ti). */
export function parseMemory(text: string): number {
  return readMemory(text);
}
