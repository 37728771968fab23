// `weir compile`: the command-line entry. Only commander's types are imported up front; the
// compiler (ts-morph) loads when the command runs, so other weir commands start fast.
import type { Command } from "commander";

const FORMATS = Object.freeze(["human", "json", "github"] as const);

/** Exit codes: 0 clean (warnings allowed), 1 compile errors, 2 usage or configuration errors. */
export const EXIT = Object.freeze({ clean: 0, errors: 1, usage: 2 });

interface CompileFlags {
  out?: string;
  format: string;
  watch?: boolean;
  tsc: boolean;
}

export function addCompileCommand(program: Command): Command {
  return program
    .command("compile")
    .description("Type-check every workflow edge without running user code and write the specs")
    .argument("[project]", "project directory or its tsconfig.json", ".")
    .option("-o, --out <dir>", "where specs are written (default: <project>/.weir/compiled)")
    .option("-f, --format <format>", `diagnostics format: ${FORMATS.join(", ")}`, "human")
    .option("-w, --watch", "recompile on every change")
    .option("--no-tsc", "do not report TypeScript's own errors")
    .action(async (project: string, flags: CompileFlags) => {
      process.exitCode = await runCompile(project, flags);
    });
}

async function runCompile(project: string, flags: CompileFlags): Promise<number> {
  if (!(FORMATS as readonly string[]).includes(flags.format)) {
    process.stderr.write(`error: --format must be one of ${FORMATS.join(", ")} (got '${flags.format}')\n`);
    return EXIT.usage;
  }
  const [{ compileProject, emitSpecs, watchProject }, { print }] = await Promise.all([import("./index.ts"), import("./cli-output.ts")]);
  const format = flags.format as (typeof FORMATS)[number];
  const settings = { includeTscDiagnostics: flags.tsc };
  const { hasErrors } = await import("../core/index.ts");
  const path = await import("node:path");

  const finish = (result: import("./compile.ts").CompileResult, elapsedMs?: number): number => {
    if (result.configError) {
      print(result, format, elapsedMs, []);
      return EXIT.usage;
    }
    const failed = hasErrors(result.diagnostics);
    const outDir = path.resolve(flags.out ?? path.join(result.root ?? project, ".weir", "compiled"));
    const written = failed ? [] : emitSpecs(result.specs, outDir);
    print(result, format, elapsedMs, written);
    return failed ? EXIT.errors : EXIT.clean;
  };

  if (!flags.watch) return finish(compileProject(project, settings));
  const handle = watchProject(project, { settings, onResult: (result, ms) => void finish(result, ms) });
  if ("specs" in handle) return finish(handle);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => {
      handle.close();
      resolve();
    });
  });
  return EXIT.clean;
}
