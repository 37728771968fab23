// Writes one day's synthetic partition for `weir demo` into the example project
// (examples/ml-pipeline/data/incoming/<day>/data.csv), deterministic for a given day and seed, with
// the gaps and free-text ages that the example's `clean` task exists to handle.
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

export interface GenerateOptions {
  rows: number;
  seed: number;
}

export const GENERATE_DEFAULTS: Readonly<GenerateOptions> = Object.freeze({ rows: 4_000, seed: 20_240_501 });

export interface GeneratedPartition {
  path: string;
  rows: number;
}

const COUNTRIES = ["FR", "DE", "US", "GB", "IN", "BR", "JP", "NG"] as const;

/** mulberry32: a tiny, well-known seeded PRNG; the same seed gives the same file everywhere. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function daySeed(day: string, seed: number): number {
  let h = seed;
  for (const ch of day) h = Math.imul(h ^ ch.charCodeAt(0), 16_777_619);
  return h >>> 0;
}

/** The CSV text of one partition: churn depends on sessions and spend, so the model can learn it. */
export function partitionCsv(day: string, options: Partial<GenerateOptions> = {}): string {
  const { rows, seed } = { ...GENERATE_DEFAULTS, ...options };
  const next = random(daySeed(day, seed));
  const lines = ["user_id,age,country,sessions,spend,churned"];
  for (let i = 0; i < rows; i++) {
    const ageValue = 18 + Math.floor(next() * 60);
    const roll = next();
    const age = roll < 0.04 ? "" : roll < 0.06 ? "unknown" : roll < 0.07 ? "n/a" : String(ageValue);
    const country = next() < 0.03 ? "" : COUNTRIES[Math.floor(next() * COUNTRIES.length)]!;
    const sessions = Math.floor(next() * 60);
    const spendValue = Math.round(next() * 50_000) / 100;
    const spend = next() < 0.03 ? "" : spendValue.toFixed(2);
    const z = 4 - 0.1 * sessions - 0.008 * spendValue + 0.01 * (ageValue - 45);
    const churned = next() < 1 / (1 + Math.exp(-z)) ? "1" : "0";
    lines.push(`${100_000 + i},${age},${country},${sessions},${spend},${churned}`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Writes `<root>/data/incoming/<day>/data.csv`. The file appears atomically (write then rename),
 * so a sensor polling for it never reads half a partition.
 */
export async function generatePartition(root: string, day: string, options: Partial<GenerateOptions> = {}): Promise<GeneratedPartition> {
  const path = join(root, "data", "incoming", day, "data.csv");
  await mkdir(dirname(path), { recursive: true });
  const text = partitionCsv(day, options);
  const partial = `${path}.${process.pid}.partial`;
  await writeFile(partial, text);
  await rename(partial, path);
  return { path, rows: text.split("\n").length - 2 };
}

// `node --import tsx runtime/cli/demo-data.ts 2026-11-24` lands a partition in the example project
// by hand (e.g. for `weir run`).
if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const day = process.argv[2] ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) {
    console.error(`usage: node --import tsx runtime/cli/demo-data.ts [YYYY-MM-DD]; got '${day}'`);
    process.exit(2);
  }
  const { path, rows } = await generatePartition(join(import.meta.dirname, "..", "..", "examples", "ml-pipeline"), day);
  console.log(`wrote ${rows} rows to ${path}`);
}
