// `weir executions [--workflow w] [--state s] [--limit n]`: recent executions, newest first.
import type { Command } from "commander";
import { CliError, withClient, withClientOptions, type ClientCommandOptions } from "./action.ts";

interface ExecutionsOptions extends ClientCommandOptions {
  workflow?: string;
  state?: string;
  limit: string;
}

export function addExecutionsCommand(program: Command): void {
  withClientOptions(
    program
      .command("executions")
      .description("list executions")
      .option("--workflow <name>", "only this workflow's executions")
      .option("--state <state>", "only executions in this state (queued, running, succeeded, failed, terminated)")
      .option("--limit <n>", "at most this many", "20"),
  ).action(async (options: ExecutionsOptions) => {
    await withClient(options, async (client) => {
      const render = await import("./render.ts");
      const { printJson } = await import("./action.ts");
      const { toJson } = await import("@bufbuild/protobuf");
      const { ListExecutionsResponseSchema, ExecutionState } = await import("../../proto/index.ts");
      const state = options.state ? render.parseExecutionState(options.state) : ExecutionState.UNSPECIFIED;
      if (state === undefined) {
        throw new CliError("BAD_STATE", `--state ${options.state} is not one of queued, running, succeeded, failed, terminated`, 2);
      }
      const limit = Number.parseInt(options.limit, 10);
      if (!Number.isInteger(limit) || limit <= 0) throw new CliError("BAD_LIMIT", `--limit ${options.limit} is not a positive integer`, 2);
      const response = await client.listExecutions({ workflow: options.workflow ?? "", state, limit });
      if (options.json) return printJson(toJson(ListExecutionsResponseSchema, response));
      if (response.executions.length === 0) return void process.stdout.write("no executions\n");
      const rows = response.executions.map((e) => [
        e.id,
        e.workflow,
        e.workflowVersion.slice(0, 12),
        render.executionStateName(e.state),
        render.formatTime(e.createdAt),
        render.formatSpan(e.startedAt ?? e.createdAt, e.finishedAt),
      ]);
      process.stdout.write(`${render.table(["ID", "WORKFLOW", "VERSION", "STATE", "CREATED", "DURATION"], rows)}\n`);
    });
  });
}
