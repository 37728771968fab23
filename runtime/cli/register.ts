// `weir register <spec.pb | spec.json | project dir>`: registers compiled workflows with the runtime.
// A project directory is compiled first, with the same compiler `weir compile` runs.
import type { Command } from "commander";
import { withClient, withClientOptions, type ClientCommandOptions } from "./action.ts";

export function addRegisterCommand(program: Command): void {
  withClientOptions(
    program
      .command("register")
      .description("register compiled workflows (a .pb/.json spec, or a project directory compiled first)")
      .argument("<target>", "a compiled spec file (.pb or .json) or a project directory"),
  ).action(async (target: string, options: ClientCommandOptions) => {
    const { loadSpecs } = await import("./spec-source.ts");
    await withClient(options, async (client) => {
      const specs = await loadSpecs(target);
      const { printJson } = await import("./action.ts");
      const { table, colors } = await import("./render.ts");
      const results = [];
      for (const spec of specs) {
        const response = await client.registerWorkflow({ spec });
        const warnings = response.warnings.map((w) => ({
          code: w.code,
          message: w.message,
          details: w.details,
          location: w.location ? { file: w.location.file, line: w.location.line, column: w.location.column } : null,
        }));
        results.push({ name: response.name, version: response.version, created: response.created, warnings });
      }
      if (options.json) printJson({ workflows: results });
      else {
        process.stdout.write(
          `${table(
            ["WORKFLOW", "VERSION", "STATUS"],
            results.map((r) => [r.name, r.version, r.created ? colors.green("created") : colors.dim("unchanged")]),
          )}\n`,
        );
        // Registered all the same; said as `weir compile` says it, so the spec's warnings are not lost.
        for (const w of results.flatMap((r) => r.warnings)) {
          const at = w.location ? `${w.location.file}:${w.location.line}:${w.location.column} ` : "";
          process.stdout.write(`${colors.yellow(`warning ${w.code}`)} ${at}${w.message}\n${w.details.map((d) => `  ${d}\n`).join("")}`);
        }
      }
    });
  });
}
