// `weir logs <execution> <node> [--attempt n]`: what a node's attempts printed.
import type { Command } from "commander";
import { CliError, withClient, withClientOptions, type ClientCommandOptions } from "./action.ts";

interface LogsOptions extends ClientCommandOptions {
  attempt?: string;
}

export function addLogsCommand(program: Command): void {
  withClientOptions(
    program
      .command("logs")
      .description("print the logs of a node's attempts")
      .argument("<execution>", "execution id")
      .argument("<node>", "node id")
      .option("--attempt <n>", "only this attempt (all attempts when omitted)"),
  ).action(async (executionId: string, nodeId: string, options: LogsOptions) => {
    const attempt = options.attempt === undefined ? 0 : Number.parseInt(options.attempt, 10);
    await withClient(options, async (client) => {
      if (!Number.isInteger(attempt) || attempt < 0) throw new CliError("BAD_ATTEMPT", `--attempt ${options.attempt} is not a positive integer`, 2);
      const { colors, formatTime } = await import("./render.ts");
      const { printJson } = await import("./action.ts");
      const { toJson } = await import("@bufbuild/protobuf");
      const { GetNodeLogsResponseSchema } = await import("../../proto/index.ts");
      const response = await client.getNodeLogs({ executionId, nodeId, attempt });
      if (options.json) return printJson(toJson(GetNodeLogsResponseSchema, response));
      let current = -1;
      for (const line of response.lines) {
        if (line.attempt !== current) {
          current = line.attempt;
          process.stdout.write(colors.dim(`── attempt ${current} ──\n`));
        }
        const text = line.stream === "stderr" ? colors.red(line.text) : line.text;
        process.stdout.write(`${colors.dim(formatTime(line.at))} ${text.replace(/\n$/, "")}\n`);
      }
      if (response.lines.length === 0) process.stderr.write(`no logs for ${nodeId} in ${executionId}\n`);
    });
  });
}
