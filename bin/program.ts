// Assembles the `weir` command line from each part's commands. Commands import their part lazily,
// so `weir compile` never loads gRPC or SQLite, and `weir worker` never loads ts-morph.
import { Command } from "commander";

export function buildProgram(): Command {
  const program = new Command("weir")
    .description("Type-safe, compiled pipeline orchestrator for ML and data work")
    .version("0.1.0")
    .showHelpAfterError()
    .exitOverride((err) => {
      // commander's own usage errors exit 2, like every other usage error of weir.
      process.exit(err.exitCode === 0 ? 0 : 2);
    });
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  await program.parseAsync(argv);
}
