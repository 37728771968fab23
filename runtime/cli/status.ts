// `weir status <execution>`: one execution's nodes with states, attempts, durations and errors.
import type { Command } from "commander";
import { withClient, withClientOptions, type ClientCommandOptions } from "./action.ts";

export function addStatusCommand(program: Command): void {
  withClientOptions(program.command("status").description("show an execution and its nodes").argument("<execution>", "execution id")).action(
    async (id: string, options: ClientCommandOptions) => {
      await withClient(options, async (client) => {
        const { renderExecutionDetail } = await import("./render.ts");
        const { printJson } = await import("./action.ts");
        const { toJson } = await import("@bufbuild/protobuf");
        const { ExecutionSchema } = await import("../../proto/index.ts");
        const { execution } = await client.getExecution({ id });
        if (!execution) throw new Error(`GetExecution answered without an execution for ${id}`);
        if (options.json) return printJson(toJson(ExecutionSchema, execution));
        process.stdout.write(`${renderExecutionDetail(execution)}\n`);
        const { queueNotes, waitsForAWorker } = await import("./queue-hints.ts");
        const queued = execution.nodes.filter(waitsForAWorker).map((n) => n.nodeId);
        if (!queued.length) return;
        // Why they wait, when no connected worker could take them: from the spec and the workers.
        const [{ spec }, { workers }] = await Promise.all([
          client.getWorkflow({ name: execution.workflow, version: execution.workflowVersion }),
          client.listWorkers({}),
        ]);
        if (!spec) return;
        for (const line of queueNotes(spec, queued, workers)) process.stdout.write(`${line}\n`);
      });
    },
  );
}
