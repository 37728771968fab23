// `weir clear <execution> <node...> [--downstream]`: reruns chosen nodes of an ended execution
// (and, with --downstream, everything after them), reusing the other nodes' outputs.
import type { Command } from "commander";
import { withClient, withClientOptions, type ClientCommandOptions } from "./action.ts";

interface ClearOptions extends ClientCommandOptions {
  downstream?: boolean;
}

export function addClearCommand(program: Command): void {
  withClientOptions(
    program
      .command("clear")
      .description("rerun chosen nodes of an ended execution, in place")
      .argument("<execution>", "id of the ended execution")
      .argument("<node...>", "node ids to rerun")
      .option("--downstream", "also rerun every node downstream of them (default: only those that did not succeed)"),
  ).action(async (id: string, nodes: string[], options: ClearOptions) => {
    await withClient(options, async (client) => {
      const { executionStateName } = await import("./render.ts");
      const { printJson } = await import("./action.ts");
      const { toJson } = await import("@bufbuild/protobuf");
      const { ExecutionSchema, NodeState } = await import("../../proto/index.ts");
      const { execution } = await client.clearNodes({ executionId: id, nodeIds: nodes, downstream: options.downstream === true });
      if (!execution) throw new Error(`ClearNodes answered without an execution for ${id}`);
      if (options.json) return printJson(toJson(ExecutionSchema, execution));
      const done = new Set([NodeState.SUCCEEDED, NodeState.CACHED]);
      const rerun = execution.nodes.filter((n) => !done.has(n.state)).map((n) => n.nodeId);
      process.stdout.write(`${execution.id} ${executionStateName(execution.state)}\n  rerun: ${rerun.join(", ") || "nothing"}\n`);
    });
  });
}
