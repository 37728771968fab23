// Durations and memory sizes as people write them: parsing the strings task and workflow configs
// and CLI flags use ("30m", "1h30m", "500ms"; "4Gi", "512M"), and the one way weir writes a duration.

const DURATION_UNITS_MS: Readonly<Record<string, number>> = Object.freeze({
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
});

/** `"30m"` → 1_800_000. Components may be combined (`"1h30m"`) and fractional (`"1.5h"`). */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let consumed = 0;
  for (let match = part.exec(trimmed); match; match = part.exec(trimmed)) {
    total += Number(match[1]) * DURATION_UNITS_MS[match[2]];
    consumed = part.lastIndex;
  }
  if (trimmed.length === 0 || consumed !== trimmed.length) {
    throw new Error(`weir: invalid duration "${text}" (expected e.g. "500ms", "30s", "15m", "1h30m", "2d")`);
  }
  return total;
}

/** The units formatDuration writes, largest first, in ms. */
const FORMAT_UNITS_MS: ReadonlyArray<readonly [string, number]> = Object.freeze([
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1_000],
] as const);

/**
 * A duration as weir writes it, in a form parseDuration reads back: "850ms" under a second, "1.5s"
 * (tenths) under a minute, else its two largest units from the first non-zero one, whole ("1m30s",
 * "2h", "2h5m", "1d6h"; smaller units are dropped). Negative durations keep their sign.
 */
export function formatDuration(ms: number): string {
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (!Number.isFinite(ms)) return String(ms);
  if (Math.round(ms) < 1_000) return `${Math.round(ms)}ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${tenths / 10}s`;
  let rest = Math.round(ms / 1_000) * 1_000;
  const first = FORMAT_UNITS_MS.findIndex(([, size]) => rest >= size);
  let text = "";
  for (const [unit, size] of FORMAT_UNITS_MS.slice(first, first + 2)) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) text += `${n}${unit}`;
  }
  return text;
}

const MEMORY_UNITS_BYTES: Readonly<Record<string, number>> = Object.freeze({
  "": 1,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
});

/** `"4Gi"` → 4 * 2^30 bytes; Kubernetes-style suffixes (K, M, G, T and Ki, Mi, Gi, Ti). */
export function parseMemory(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(text.trim());
  if (!match) {
    throw new Error(`weir: invalid memory size "${text}" (expected e.g. "512Mi", "4Gi", "1G")`);
  }
  return Math.round(Number(match[1]) * MEMORY_UNITS_BYTES[match[2] ?? ""]);
}
