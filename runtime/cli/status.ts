// `weir status <execution>`: one execution's nodes with states, attempts, durations and errors.
import type { Command } from "commander";
import { withClient, withClientOptions, type ClientCommandOptions } from "./action.ts";

export function addStatusCommand(program: Command): void {
  withClientOptions(
    program.command("status").description("show an execution and its nodes").argument("<execution>", "execution id"),
  ).action(async (id: string, options: ClientCommandOptions) => {
    await withClient(options, async (client) => {
      const { renderExecutionDetail } = await import("./render.ts");
      const { printJson } = await import("./action.ts");
      const { toJson } = await import("@bufbuild/protobuf");
      const { ExecutionSchema } = await import("../../proto/index.ts");
      const { execution } = await client.getExecution({ id });
      if (!execution) throw new Error(`GetExecution answered without an execution for ${id}`);
      if (options.json) printJson(toJson(ExecutionSchema, execution));
      else process.stdout.write(`${renderExecutionDetail(execution)}\n`);
    });
  });
}
