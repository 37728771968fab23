// The plugin inside a real tsserver reports every weir diagnostic `weir compile` reports, with the
// same code, line and column, on the file that holds it; a clean project gets none. tsc's own errors
// (WEIR9001 in `weir compile`) are the editor's own diagnostics, so the plugin leaves them out.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { compileProject } from "../../compiler/index.ts";
import { pluginProbe, pluginProject } from "./plugin-project.ts";
import { REPO, TsServer } from "./tsserver-client.ts";

// The examples, and every compiler fixture project with a tsconfig (tsserver gives a folder without
// one an inferred project, which the plugin leaves alone: `weir compile` would read it with defaults).
const FIXTURES = path.join(REPO, "test/fixtures/compiler");
const PROJECTS = [
  "examples/broken",
  "examples/ml-pipeline",
  ...readdirSync(FIXTURES)
    .filter((name) => existsSync(path.join(FIXTURES, name, "tsconfig.json")))
    .sort()
    .map((name) => `test/fixtures/compiler/${name}`),
];
const CLEAN = new Set(["examples/ml-pipeline", "test/fixtures/compiler/pipeline", "test/fixtures/compiler/zod-int", "test/fixtures/compiler/zod-int-nested"]);

/** "file:line:column WEIRnnnn" for each diagnostic `weir compile` reports with a location, tsc's aside. */
function compilerFindings(dir: string): string[] {
  return compileProject(dir)
    .diagnostics.filter((d) => d.location && d.code !== "WEIR9001")
    .map((d) => `${d.location!.file}:${d.location!.line}:${d.location!.column} ${d.code}`)
    .sort();
}

/** The same, from the editor: every .ts file of the project opened and asked for its diagnostics. */
async function editorFindings(server: TsServer, dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".ts"))) {
    const file = path.join(dir, name);
    await server.open(file);
    for (const d of await server.weirDiagnostics(file)) found.push(`${name}:${d.start.line}:${d.start.offset} WEIR${d.code}`);
  }
  return found.sort();
}

describe("with --globalPlugins weir/ts-plugin", () => {
  let server: TsServer;
  beforeAll(() => {
    server = new TsServer(pluginProbe(), { global: true });
  });
  afterAll(() => server.close());

  test.each(PROJECTS)(
    "%s: the editor shows what weir compile reports, where it reports it",
    async (project) => {
      const dir = path.join(REPO, project);
      const expected = compilerFindings(dir);
      if (CLEAN.has(project)) expect(expected).toEqual([]);
      else expect(expected.length).toBeGreaterThan(0);
      expect(await editorFindings(server, dir)).toEqual(expected);
    },
    120_000,
  );

  test("a diagnostic carries the compiler's message, category and source", async () => {
    const file = path.join(REPO, "examples/broken/pipeline.ts");
    await server.open(file);
    const [first] = await server.weirDiagnostics(file);
    const [expected] = compileProject(path.dirname(file)).diagnostics.filter((d) => d.code !== "WEIR9001");
    expect(first).toMatchObject({ source: "weir", code: Number(expected.code.slice(4)), category: expected.category });
    expect(first.text).toBe([expected.message, ...expected.details].join("\n"));
  }, 120_000);
});

test("the one tsconfig line the README shows enables it", async () => {
  const dir = pluginProject(path.join(REPO, "examples/broken"));
  const server = new TsServer(dir);
  try {
    expect(await editorFindings(server, dir)).toEqual(compilerFindings(dir));
    expect(server.pluginLog().some((l) => l.includes("checked"))).toBe(true);
  } finally {
    await server.close();
  }
}, 120_000);
