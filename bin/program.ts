// Assembles the `weir` command line from each part's commands. Commands import their part lazily,
// so `weir compile` never loads gRPC or SQLite, and `weir worker` never loads ts-morph: that is why
// the compile, server and worker commands come from their part's cli.ts, not its index.ts (which
// loads the whole part).
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { addCompileCommand } from "../compiler/cli.ts";
import { addServerCommand } from "../runtime/server/cli.ts";
import { addWorkerCommand } from "../runtime/worker/cli.ts";
import {
  addBackfillCommand,
  addClearCommand,
  addDemoCommand,
  addExecutionsCommand,
  addLogsCommand,
  addRecoverCommand,
  addRegisterCommand,
  addRunCommand,
  addStatusCommand,
  addTerminateCommand,
  addWorkersCommand,
  addWorkflowsCommand,
} from "../runtime/cli/index.ts";

/** weir's version, as package.json gives it. */
const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };

export function buildProgram(): Command {
  const program = new Command("weir")
    .description("Type-safe, compiled pipeline orchestrator for ML and data work")
    .version(version)
    .showHelpAfterError()
    .exitOverride((err) => {
      // commander's own usage errors exit 2, like every other usage error of weir.
      process.exit(err.exitCode === 0 ? 0 : 2);
    });
  for (const add of [
    addCompileCommand,
    addServerCommand,
    addWorkerCommand,
    addRegisterCommand,
    addRunCommand,
    addExecutionsCommand,
    addStatusCommand,
    addLogsCommand,
    addTerminateCommand,
    addWorkersCommand,
    addWorkflowsCommand,
    addBackfillCommand,
    addRecoverCommand,
    addClearCommand,
    addDemoCommand,
  ]) {
    add(program);
  }
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // `weir status --json | head` closes the pipe early: that ends the command quietly, as in any
  // Unix tool, not with an unhandled EPIPE stack trace.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") throw err;
    process.exit(0);
  });
  const program = buildProgram();
  await program.parseAsync(argv);
}
