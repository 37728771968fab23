// Generated from sdk/duration.ts by bench/types/generate-declarations.ts (npm run generate:types); do not edit.
/** `"30m"` → 1_800_000. Components may be combined (`"1h30m"`) and fractional (`"1.5h"`). */
export declare function parseDuration(text: string): number;
/** `"4Gi"` → 4 * 2^30 bytes; Kubernetes-style suffixes (K, M, G, T and Ki, Mi, Gi, Ti). */
export declare function parseMemory(text: string): number;
