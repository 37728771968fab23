// `weir recover <execution>`: a new execution that reuses every succeeded node's outputs and reruns
// only what failed or was skipped.
import type { Command } from "commander";
import { withClient, withClientOptions, type ClientCommandOptions } from "./action.ts";

export function addRecoverCommand(program: Command): void {
  withClientOptions(
    program
      .command("recover")
      .description("rerun what failed in an ended execution, reusing what succeeded, as a new execution")
      .argument("<execution>", "id of the ended execution"),
  ).action(async (id: string, options: ClientCommandOptions) => {
    await withClient(options, async (client) => {
      const { executionStateName } = await import("./render.ts");
      const { printJson } = await import("./action.ts");
      const { toJson } = await import("@bufbuild/protobuf");
      const { ExecutionSchema, NodeState } = await import("../../proto/index.ts");
      const { execution } = await client.recoverExecution({ id });
      if (!execution) throw new Error(`RecoverExecution answered without an execution for ${id}`);
      if (options.json) return printJson(toJson(ExecutionSchema, execution));
      const reused = execution.nodes.filter((n) => n.state === NodeState.SUCCEEDED || n.state === NodeState.CACHED).map((n) => n.nodeId);
      const rerun = execution.nodes.filter((n) => !reused.includes(n.nodeId)).map((n) => n.nodeId);
      process.stdout.write(`${execution.id} ${executionStateName(execution.state)} (recovers ${id})\n`);
      process.stdout.write(`  reused: ${reused.join(", ") || "nothing"}\n  rerun:  ${rerun.join(", ") || "nothing"}\n`);
      process.stdout.write(`follow it with \`weir status ${execution.id}\`\n`);
    });
  });
}
