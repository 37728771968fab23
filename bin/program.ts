// Assembles the `weir` command line from each part's commands. Commands import their part lazily,
// so `weir compile` never loads gRPC or SQLite, and `weir worker` never loads ts-morph.
import { Command } from "commander";
import { addCompileCommand } from "../compiler/cli.ts";
import { addServerCommand } from "../runtime/server/cli.ts";
import { addWorkerCommand } from "../runtime/worker/cli.ts";
import { addDemoCommand } from "../runtime/cli/demo.ts";
import { addExecutionsCommand } from "../runtime/cli/executions.ts";
import { addLogsCommand } from "../runtime/cli/logs.ts";
import { addRegisterCommand } from "../runtime/cli/register.ts";
import { addRunCommand } from "../runtime/cli/run.ts";
import { addStatusCommand } from "../runtime/cli/status.ts";
import { addTerminateCommand } from "../runtime/cli/terminate.ts";
import { addWorkersCommand } from "../runtime/cli/workers.ts";
import { addWorkflowsCommand } from "../runtime/cli/workflows.ts";
import { addBackfillCommand } from "../runtime/cli/backfill.ts";
import { addRecoverCommand } from "../runtime/cli/recover.ts";
import { addClearCommand } from "../runtime/cli/clear.ts";

export function buildProgram(): Command {
  const program = new Command("weir")
    .description("Type-safe, compiled pipeline orchestrator for ML and data work")
    .version("0.1.0")
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
