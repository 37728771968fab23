// `weir backfill <workflow> --from <date|datetime> --to <date|datetime> [--max-active-runs n] [--dry-run]`:
// one execution per schedule tick over the range; past the max active runs, runs wait queued.
import type { Command } from "commander";
import { CliError, withClient, withClientOptions, type ClientCommandOptions } from "./action.ts";

interface BackfillOptions extends ClientCommandOptions {
  from: string;
  to: string;
  maxActiveRuns?: string;
  dryRun?: boolean;
}

export function addBackfillCommand(program: Command): void {
  withClientOptions(
    program
      .command("backfill")
      .description("run a scheduled workflow once per schedule tick over a past range")
      .argument("<workflow>", "registered workflow with a schedule")
      .requiredOption("--from <date|datetime>", "first instant of the range (a date is the start of that day in the schedule's time zone)")
      .requiredOption("--to <date|datetime>", "last instant of the range, inclusive (a date is the whole of that day)")
      .option("--max-active-runs <n>", "at most this many runs at once (default: the schedule's)")
      .option("--dry-run", "print the ticks without creating executions"),
  ).action(async (workflow: string, options: BackfillOptions) => {
    await withClient(options, async (client) => {
      const { parseInstant } = await import("./instants.ts");
      const { printJson } = await import("./action.ts");
      const { table } = await import("./render.ts");
      const { toJson } = await import("@bufbuild/protobuf");
      const { timestampFromMs, timestampMs } = await import("@bufbuild/protobuf/wkt");
      const { CreateBackfillResponseSchema } = await import("../../proto/index.ts");
      const maxActiveRuns = options.maxActiveRuns === undefined ? 0 : Number(options.maxActiveRuns);
      if (!Number.isInteger(maxActiveRuns) || maxActiveRuns < 0) {
        throw new CliError("BAD_LIMIT", `--max-active-runs ${options.maxActiveRuns} is not a positive integer`, 2);
      }
      // Dates and zone-less datetimes are read in the schedule's zone, as its ticks are.
      const { spec } = await client.getWorkflow({ name: workflow });
      const schedule = spec?.workflow?.schedule;
      if (!schedule) throw new CliError("NO_SCHEDULE", `workflow ${workflow} has no schedule; only scheduled workflows can be backfilled`);
      const zone = schedule.timezone || "UTC";
      const start = parseInstant(options.from, zone, "--from");
      const end = parseInstant(options.to, zone, "--to", true);
      if (end < start) throw new CliError("BAD_RANGE", `--to ${options.to} is before --from ${options.from}`, 2);
      const response = await client.createBackfill({
        workflow,
        start: timestampFromMs(start),
        end: timestampFromMs(end),
        maxActiveRuns,
        dryRun: options.dryRun === true,
      });
      if (options.json) return printJson(toJson(CreateBackfillResponseSchema, response));
      const ticks = response.ticks.map((t) => new Date(timestampMs(t)).toISOString());
      if (ticks.length === 0)
        return void process.stdout.write(`no ticks of ${workflow} between ${new Date(start).toISOString()} and ${new Date(end).toISOString()}\n`);
      const limit = maxActiveRuns || schedule.maxActiveRuns;
      const rows = ticks.map((t, i) => [t, response.executionIds[i] ?? "(dry run)"]);
      process.stdout.write(`${table(["TICK", "EXECUTION"], rows)}\n`);
      process.stdout.write(
        options.dryRun
          ? `dry run: ${ticks.length} tick${ticks.length > 1 ? "s" : ""} of ${workflow}, nothing created\n`
          : `backfill ${response.backfillId}: ${ticks.length} run${ticks.length > 1 ? "s" : ""} of ${workflow}${limit ? `, at most ${limit} at once` : ""}\n`,
      );
    });
  });
}
