// `weir workers`: the workers the runtime knows, their pools, capacity, load and GPUs.
import type { Command } from "commander";
import { withClient, withClientOptions, type ClientCommandOptions } from "./action.ts";

export function addWorkersCommand(program: Command): void {
  withClientOptions(program.command("workers").description("list connected workers")).action(async (options: ClientCommandOptions) => {
    await withClient(options, async (client) => {
      const { table, formatTime, colors } = await import("./render.ts");
      const { printJson } = await import("./action.ts");
      const { toJson } = await import("@bufbuild/protobuf");
      const { ListWorkersResponseSchema } = await import("../../proto/index.ts");
      const response = await client.listWorkers({});
      if (options.json) return printJson(toJson(ListWorkersResponseSchema, response));
      if (response.workers.length === 0) {
        return void process.stdout.write("no workers — start one with `weir worker --server <host:port> --pool cpu`\n");
      }
      const rows = response.workers.map((w) => [
        w.id,
        w.hostname,
        w.pools.join(","),
        `${w.running}/${w.capacity}`,
        w.gpus.length === 0 ? "-" : w.gpus.map((g) => `${g.index}:${g.name}`).join(","),
        w.connected ? colors.green("connected") : colors.dim("gone"),
        formatTime(w.lastHeartbeat),
      ]);
      process.stdout.write(`${table(["ID", "HOST", "POOLS", "RUNNING", "GPUS", "STATE", "LAST HEARTBEAT"], rows)}\n`);
    });
  });
}
