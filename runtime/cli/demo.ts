// `weir demo` (`npm run demo`): the seed's ML pipeline end to end on the embedded defaults — an
// in-process runtime on SQLite, a real worker process, a partition that lands while the sensor
// waits, live progress, and where every output landed. Needs no set-up beyond `npm ci`.
import type { Command } from "commander";

export const DEMO_DEFAULTS = Object.freeze({
  /** The demo's own state, relative to the current directory (like `weir server`'s defaults). */
  stateDir: ".weir",
  workflow: "ml_pipeline",
  /** How long the sensor is seen waiting before the partition is written. */
  dataDelayMs: 2_500,
  /** Written even if no wait was observed by then (e.g. the sensor's first poke came early). */
  dataFallbackMs: 15_000,
  workerStopMs: 5_000,
});

interface DemoOptions {
  day?: string;
  rows: string;
}

export function addDemoCommand(program: Command): void {
  program
    .command("demo")
    .description("run the example ML pipeline end to end on an embedded runtime and a local worker")
    .option("--day <YYYY-MM-DD>", "the partition to process (default: today, UTC)")
    .option("--rows <n>", "rows in the generated partition", "4000")
    .action(async (options: DemoOptions) => {
      const { runDemo } = await import("./demo-run.ts");
      const { reportError } = await import("./action.ts");
      try {
        process.exitCode = await runDemo({
          day: options.day ?? new Date().toISOString().slice(0, 10),
          rows: Number.parseInt(options.rows, 10),
        });
      } catch (err) {
        process.exitCode = reportError(err, false);
      }
    });
}
