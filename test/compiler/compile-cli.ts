// Runs `weir compile` as a real process through a minimal commander program holding only the
// compile command (what bin/program.ts wires), so tests see real exit codes and output.
import { Command } from "commander";
import { addCompileCommand } from "../../compiler/cli.ts";

const program = new Command("weir").exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
addCompileCommand(program);
await program.parseAsync(process.argv);
