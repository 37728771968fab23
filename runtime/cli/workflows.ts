// `weir workflows`: registered workflows with their latest version, schedule and next tick.
import type { Command } from "commander";
import { formatDuration } from "../../core/index.ts";
import type { Schedule } from "../../proto/index.ts";
import { withClient, withClientOptions, type ClientCommandOptions } from "./action.ts";

export function addWorkflowsCommand(program: Command): void {
  withClientOptions(program.command("workflows").description("list registered workflows and their schedules")).action(async (options: ClientCommandOptions) => {
    await withClient(options, async (client) => {
      const { table, formatTime } = await import("./render.ts");
      const { printJson } = await import("./action.ts");
      const { toJson } = await import("@bufbuild/protobuf");
      const { timestampFromMs } = await import("@bufbuild/protobuf/wkt");
      const { WorkflowSummarySchema } = await import("../../proto/index.ts");
      const { nextTick } = await import("../../core/index.ts");
      const response = await client.listWorkflows({});
      const now = Date.now();
      const next = (s: Schedule | undefined): number | undefined => {
        if (!s?.trigger.case) return undefined;
        try {
          return nextTick(s, now);
        } catch {
          return undefined;
        }
      };
      const rows = response.workflows.map((w) => ({ w, next: next(w.schedule) }));
      if (options.json) {
        return printJson({
          workflows: rows.map(({ w, next: at }) => ({
            ...(toJson(WorkflowSummarySchema, w) as object),
            ...(at !== undefined ? { nextTick: new Date(at).toISOString() } : {}),
          })),
        });
      }
      if (rows.length === 0) return void process.stdout.write("no workflows — register one with `weir register <spec.pb>`\n");
      process.stdout.write(
        `${table(
          ["NAME", "VERSION", "VERSIONS", "SCHEDULE", "NEXT TICK", "REGISTERED"],
          rows.map(({ w, next: at }) => [
            w.name,
            w.latestVersion.slice(0, 12),
            String(w.versions),
            describeSchedule(w.schedule),
            at === undefined ? "-" : formatTime(timestampFromMs(at)),
            formatTime(w.registeredAt),
          ]),
        )}\n`,
      );
    });
  });
}

/** `0 2 * * * Europe/Paris, max 3` / `every 15m, catchup`. */
export function describeSchedule(s: Schedule | undefined): string {
  if (!s?.trigger.case) return "-";
  const what =
    s.trigger.case === "cron"
      ? `${s.trigger.value} ${s.timezone || "UTC"}`
      : `every ${formatDuration(Number(s.trigger.value.seconds) * 1000 + s.trigger.value.nanos / 1e6)}`;
  return [what, s.catchup ? "catchup" : "", s.maxActiveRuns ? `max ${s.maxActiveRuns}` : ""].filter(Boolean).join(", ");
}
