// `weir run <workflow> --input k=v … [--version v] [--follow]`: starts an execution, typed inputs
// parsed against the registered interface (`k=@path` uploads a file, directory or table first),
// optionally following it live to its end.
import type { Command } from "commander";
import { withClient, withClientOptions, type ClientCommandOptions } from "./action.ts";

interface RunOptions extends ClientCommandOptions {
  input: string[];
  version?: string;
  follow?: boolean;
  id?: string;
}

export function addRunCommand(program: Command): void {
  withClientOptions(
    program
      .command("run")
      .description("start an execution of a registered workflow")
      .argument("<workflow>", "registered workflow name")
      .option(
        "-i, --input <name=value>",
        "a workflow input (repeatable); name=@path uploads a file, directory or .csv/.arrow table",
        (v: string, acc: string[]) => [...acc, v],
        [],
      )
      .option("--version <version>", "workflow version (latest when omitted)")
      .option("--id <execution-id>", "choose the execution id (creating it twice returns the first)")
      .option("-f, --follow", "watch the execution and print live progress until it ends"),
  ).action(async (workflow: string, options: RunOptions) => {
    await withClient(options, async (client) => {
      const { parseInputs } = await import("./inputs.ts");
      const { uploadingWriter } = await import("./artifact-upload.ts");
      const { printJson } = await import("./action.ts");
      const { toJson } = await import("@bufbuild/protobuf");
      const { ExecutionSchema, ExecutionState } = await import("../../proto/index.ts");
      const { renderSummary, colors } = await import("./render.ts");
      const { spec } = await client.getWorkflow({ name: workflow, version: options.version ?? "" });
      const inputs = await parseInputs(options.input, spec?.workflow?.interface?.inputs ?? [], workflow, uploadingWriter(client));
      const { execution } = await client.createExecution({
        workflow,
        version: options.version ?? "",
        inputs: { literals: inputs },
        executionId: options.id ?? "",
      });
      if (!execution) throw new Error("CreateExecution answered without an execution");
      if (!options.follow) {
        if (options.json) printJson(toJson(ExecutionSchema, execution));
        else process.stdout.write(`${execution.id}\n`);
        return 0;
      }
      if (!options.json) process.stdout.write(`${colors.bold(workflow)} ${colors.dim(execution.id)} started\n`);
      const { followExecution } = await import("./follow.ts");
      if (options.json) {
        // Nothing is rendered: wait for the end alone, then read the whole execution once.
        await followExecution(client, execution.id, { endOnly: true });
        const { execution: final } = await client.getExecution({ id: execution.id });
        printJson(toJson(ExecutionSchema, final!));
        return final!.state === ExecutionState.SUCCEEDED ? 0 : 1;
      }
      const final = await followExecution(client, execution.id, { spec, write: (line) => process.stdout.write(`${line}\n`) });
      process.stdout.write(`${renderSummary(final)}\n`);
      return final.state === ExecutionState.SUCCEEDED ? 0 : 1;
    });
  });
}
