// The `weir server` process on its own: the entry bin/weir.js bundles (bin/bundle.mjs) so the
// long-lived runtime runs without the TypeScript loader. The same command as in `weir --help`.
import { Command } from "commander";
import { addServerCommand } from "./cli.ts";

export async function main(argv: string[]): Promise<void> {
  const program = new Command("weir").exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
  addServerCommand(program);
  await program.parseAsync(argv);
}
