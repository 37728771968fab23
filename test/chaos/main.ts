// `npm run chaos [-- --short] [--seed N] [--concurrency N] [--keep] [--json FILE] [--fuzz-only]`:
// runs the chaos suite against real processes, prints its table and exits 1 when any figure misses
// its target (2 on a usage error). --seed repeats a run's choices, --concurrency overrides each
// worker's (16), --keep keeps the run's directory (kept anyway on failure), --fuzz-only runs just
// the fuzz phase (its verdict then covers only the fuzz).
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { stopAll } from "./cluster.ts";
import { CHAOS_PROFILES } from "./profiles.ts";
import { failures, formatReport, reconnects } from "./report.ts";
import { runChaos } from "./suite.ts";

const USAGE = "usage: npm run chaos -- [--short] [--seed N] [--concurrency N] [--keep] [--json FILE] [--fuzz-only]";

async function main(): Promise<number> {
  let values: { short?: boolean; seed?: string; concurrency?: string; keep?: boolean; json?: string; "fuzz-only"?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        short: { type: "boolean" },
        seed: { type: "string" },
        concurrency: { type: "string" },
        keep: { type: "boolean" },
        json: { type: "string" },
        "fuzz-only": { type: "boolean" },
      },
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isInteger(seed)) {
    process.stderr.write(`--seed takes an integer (got ${values.seed})\n${USAGE}\n`);
    return 2;
  }
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0)) {
    process.stderr.write(`--concurrency takes a positive integer (got ${values.concurrency})\n${USAGE}\n`);
    return 2;
  }
  // Ctrl-C or a supervisor's SIGTERM: end every process the suite started before leaving.
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => void stopAll().finally(() => process.exit(130)));
  }
  const base = values.short ? CHAOS_PROFILES.short : CHAOS_PROFILES.long;
  const profile = concurrency === undefined ? base : { ...base, workerConcurrency: concurrency };
  const report = await runChaos(profile, { seed, keep: values.keep, fuzzOnly: values["fuzz-only"] });
  process.stdout.write(`${formatReport(report)}\n`);
  if (values.json) {
    const replacer = (_: string, v: unknown) => (typeof v === "bigint" ? v.toString() : v === Infinity ? "Infinity" : v);
    writeFileSync(values.json, JSON.stringify({ ...report, reconnectSummary: reconnects(report), failures: failures(report) }, replacer, 2));
  }
  return failures(report).length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    process.stderr.write(`chaos suite crashed: ${(err as Error).stack ?? String(err)}\n`);
    await stopAll();
    process.exit(1);
  },
);
