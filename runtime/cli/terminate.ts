// `weir terminate <execution>`: cancels running attempts and ends the execution as terminated.
import type { Command } from "commander";
import { withClient, withClientOptions, type ClientCommandOptions } from "./action.ts";

interface TerminateOptions extends ClientCommandOptions {
  reason: string;
}

export function addTerminateCommand(program: Command): void {
  withClientOptions(
    program
      .command("terminate")
      .description("terminate a running execution")
      .argument("<execution>", "execution id")
      .option("--reason <text>", "why (recorded with the execution)", "terminated from the CLI"),
  ).action(async (id: string, options: TerminateOptions) => {
    await withClient(options, async (client) => {
      const { executionStateName } = await import("./render.ts");
      const { printJson } = await import("./action.ts");
      const { toJson } = await import("@bufbuild/protobuf");
      const { ExecutionSchema } = await import("../../proto/index.ts");
      const { execution } = await client.terminateExecution({ id, reason: options.reason });
      if (!execution) throw new Error(`TerminateExecution answered without an execution for ${id}`);
      if (options.json) printJson(toJson(ExecutionSchema, execution));
      else process.stdout.write(`${execution.id} ${executionStateName(execution.state)}\n`);
    });
  });
}
