// A user project for the plugin tests: a copy of a weir project in a temporary folder whose
// node_modules/weir links to this checkout (as test/e2e/harness.ts prepares one) and whose
// tsconfig enables the plugin with the one line the README shows.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { REPO } from "./tsserver-client.ts";

/** Copies `source` (a project folder) and returns the copy's folder. */
export function pluginProject(source: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "weir-ts-plugin-"));
  cpSync(source, dir, { recursive: true, filter: (from) => !/[/\\](node_modules|\.weir)$/.test(from) });
  mkdirSync(path.join(dir, "node_modules"), { recursive: true });
  symlinkSync(REPO, path.join(dir, "node_modules", "weir"));
  symlinkSync(path.join(REPO, "node_modules", "@types"), path.join(dir, "node_modules", "@types"));
  enablePlugin(dir);
  return dir;
}

/** A folder to pass as --pluginProbeLocations: only its node_modules/weir, linked to this checkout. */
export function pluginProbe(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "weir-ts-plugin-probe-"));
  mkdirSync(path.join(dir, "node_modules"));
  symlinkSync(REPO, path.join(dir, "node_modules", "weir"));
  return dir;
}

/** Writes `files` (relative path → text) as a project whose "weir" is this checkout's sdk/, like the compile bench's. */
export function writtenProject(files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "weir-ts-plugin-"));
  const compilerOptions = {
    target: "ES2022",
    module: "preserve",
    moduleResolution: "bundler",
    allowImportingTsExtensions: true,
    noEmit: true,
    strict: true,
    skipLibCheck: true,
    types: [],
    lib: ["ES2023"],
    paths: { weir: [path.join(REPO, "sdk", "index.ts")] },
  };
  writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, include: ["**/*.ts"] }, null, 2));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** Adds `{ "name": "weir/ts-plugin" }` to the project's compilerOptions.plugins. */
export function enablePlugin(dir: string): void {
  const file = path.join(dir, "tsconfig.json");
  const tsconfig = JSON.parse(readFileSync(file, "utf8")) as { compilerOptions?: Record<string, unknown> };
  tsconfig.compilerOptions = { ...tsconfig.compilerOptions, plugins: [{ name: "weir/ts-plugin" }] };
  writeFileSync(file, JSON.stringify(tsconfig, null, 2));
}
