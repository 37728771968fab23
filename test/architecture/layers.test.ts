// The layers, enforced: which part of weir may import which, and only through the other part's
// face. A part is a top-level folder (core/, sdk/, compiler/, proto/, …), a folder of runtime/
// (runtime/server/, runtime/store/, …) or one of runtime/'s own files (runtime/client.ts, …).
// docs/architecture.md shows the same table; change both together.
import { existsSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { importsOf, resolveInPackage, sourceFiles } from "./imports.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

interface Edge {
  /** The part imported. */
  to: string;
  /** Narrower than the part's faces: only these files may be imported. */
  faces?: readonly string[];
  /** Only these files of the importing part may use the edge. */
  only?: readonly string[];
}

/** Parts that may import anything, internals included: the command's entry, tests, benchmarks. */
const UNRESTRICTED = new Set(["bin", "test", "bench"]);

const PROTO_MESSAGES = ["proto/messages.ts"];
const SDK_VALUES = ["sdk/values.ts"];

/** Every edge allowed between two parts; an import within one part is always allowed. */
const ALLOWED: Readonly<Record<string, readonly Edge[]>> = {
  proto: [],
  core: [{ to: "proto", faces: PROTO_MESSAGES }],
  sdk: [{ to: "core" }, { to: "proto", faces: PROTO_MESSAGES }],
  compiler: [{ to: "core" }, { to: "proto" }],
  // A user project: `weir` and nothing else of the package. Nothing imports examples/.
  examples: [{ to: "sdk", faces: ["sdk/index.ts"] }],
  runtime: [{ to: "runtime/server" }, { to: "runtime/store" }, { to: "runtime/config" }, { to: "runtime/error-codes" }, { to: "runtime/log" }],
  "runtime/server": [
    { to: "core" },
    { to: "proto" },
    { to: "runtime/scheduler" },
    { to: "runtime/store" },
    { to: "runtime/artifacts" },
    { to: "runtime/config" },
    { to: "runtime/credentials" },
    { to: "runtime/error-codes" },
    { to: "runtime/log" },
    // The HTTP port serves /metrics and the web UI's built files (ui/'s face: buildUi).
    { to: "runtime/metrics" },
    { to: "ui", faces: ["ui/index.ts"] },
    // A replica passes terminate and watch calls to the replica driving the execution, as a client.
    { to: "runtime/client", only: ["runtime/server/replica-peers.ts"] },
    { to: "runtime/channel-security", only: ["runtime/server/replica-peers.ts"] },
  ],
  // Fed by the engine as its observer, and reads its occupancy at scrape time.
  "runtime/metrics": [{ to: "proto" }, { to: "runtime/scheduler" }],
  "runtime/scheduler": [
    { to: "core" },
    { to: "proto" },
    { to: "sdk", faces: SDK_VALUES },
    { to: "runtime/store" },
    { to: "runtime/artifacts" },
    { to: "runtime/config" },
    { to: "runtime/error-codes" },
    { to: "runtime/log" },
  ],
  "runtime/store": [{ to: "proto" }, { to: "runtime/error-codes" }],
  // The web UI: the page (ui/app/) calls AdminService through the generated messages alone and
  // reuses the browser-safe files of core/ and sdk/ (no node built-ins behind them), so the types,
  // durations, schedule ticks and table checks it shows are the runtime's own; ui/build.ts imports
  // nothing of weir.
  ui: [
    { to: "proto", faces: PROTO_MESSAGES },
    {
      to: "core",
      faces: ["core/type-names.ts", "core/duration.ts", "core/schedule-ticks.ts", "core/compatibility.ts", "core/zoned-time.ts", "core/state-names.ts"],
    },
    // A dataframe chosen in the run form is read and described as the SDK's toLiteral does.
    { to: "sdk", faces: ["sdk/literal-arrow.ts", "sdk/csv-table.ts"], only: ["ui/app/forms/dataframe-file.ts"] },
  ],
  "runtime/artifacts": [{ to: "sdk", faces: SDK_VALUES }],
  "runtime/worker": [
    { to: "core" },
    { to: "proto" },
    { to: "sdk", faces: SDK_VALUES },
    { to: "runtime/artifacts" },
    { to: "runtime/channel-security" },
    { to: "runtime/credentials" },
    { to: "runtime/error-codes" },
    { to: "runtime/log" },
  ],
  "runtime/cli": [
    { to: "core" },
    { to: "proto" },
    { to: "sdk", faces: SDK_VALUES },
    { to: "runtime/client" },
    { to: "runtime/channel-security" },
    { to: "runtime/credentials" },
    { to: "runtime/config" },
    // `weir run <dir>` and `weir register <dir>` compile a project first.
    { to: "compiler", only: ["runtime/cli/spec-source.ts"] },
    // `weir demo` runs a runtime in process and asks the worker's GPU discovery what to serve.
    { to: "runtime/server", only: ["runtime/cli/demo-run.ts"] },
    { to: "runtime/worker", only: ["runtime/cli/demo-run.ts"] },
  ],
  // The editor plugin runs the compiler's checks on the editor's texts (compiler/'s face).
  "ts-plugin": [{ to: "compiler" }],
  "runtime/client": [{ to: "proto" }, { to: "runtime/channel-security" }],
  "runtime/channel-security": [{ to: "runtime/credentials" }],
  "runtime/credentials": [],
  "runtime/config": [],
  "runtime/error-codes": [{ to: "proto" }],
  "runtime/log": [],
};

/** The part a file (relative to the root) belongs to. */
function partOf(file: string): string {
  const [top, second, ...rest] = file.split("/");
  if (top !== "runtime" || second === undefined || second === "index.ts") return top!;
  return rest.length > 0 ? `runtime/${second}` : `runtime/${second.replace(/\.[cm]?[tj]s$/, "")}`;
}

/** The files other parts import a part through: its index.ts (and a second face for proto/ and sdk/), or the file itself. */
function facesOf(part: string): string[] {
  if (part === "proto") return ["proto/index.ts", ...PROTO_MESSAGES];
  if (part === "sdk") return ["sdk/index.ts", ...SDK_VALUES];
  const folder = join(root, part);
  return existsSync(folder) ? [`${part}/index.ts`] : [`${part}.ts`];
}

interface Violation {
  file: string;
  line: number;
  specifier: string;
  rule: string;
}

/** Every import of `file` (relative to the root) that the table forbids. */
function violationsOf(file: string, text?: string): Violation[] {
  const from = partOf(file);
  if (UNRESTRICTED.has(from)) return [];
  const edges = ALLOWED[from];
  const out: Violation[] = [];
  for (const site of importsOf(join(root, file), text)) {
    const target = resolveInPackage(root, join(root, file), site.specifier);
    if (target === undefined) continue;
    const to = partOf(target);
    if (to === from) continue;
    const at = { file, line: site.line, specifier: site.specifier };
    if (edges === undefined) {
      out.push({ ...at, rule: `${from}/ is not in the layering table (test/architecture/layers.test.ts); add it with the parts it may import` });
      continue;
    }
    const edge = edges.find((e) => e.to === to);
    if (edge === undefined) {
      const may = edges.map(describeEdge).join(", ") || "nothing";
      out.push({ ...at, rule: `${from} may not import ${to} (${from} may import: ${may})` });
    } else if (edge.only && !edge.only.includes(file)) {
      out.push({ ...at, rule: `${from} may import ${to} only from ${edge.only.join(", ")}` });
    } else {
      const faces = edge.faces ?? facesOf(to);
      if (!faces.includes(target)) out.push({ ...at, rule: `${from} may import ${to} only through ${faces.join(" or ")}, not ${target}` });
    }
  }
  return out;
}

function describeEdge(e: Edge): string {
  const notes = [...(e.faces ?? []), ...(e.only ?? []).map((f) => `from ${f}`)];
  return notes.length > 0 ? `${e.to} (${notes.join(", ")})` : e.to;
}

function format(v: Violation): string {
  return `${v.file}:${v.line} imports "${v.specifier}": ${v.rule}`;
}

/** Every source file in a top-level folder (a new folder fails the first test until the table has it). */
const files = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith(".") && d.name !== "node_modules")
  .flatMap((d) => sourceFiles(join(root, d.name)).map((f) => relative(root, f)));

test("every import between parts is an allowed edge, through the imported part's face", () => {
  expect(files.length).toBeGreaterThan(200);
  const violations = files.flatMap((f) => violationsOf(f)).map(format);
  if (violations.length > 0) expect.fail(`${violations.length} import(s) break the layering:\n${violations.join("\n")}`);
});

test("each top-level folder and each runtime/ part has its face", () => {
  const parts = new Set(files.map(partOf).filter((p) => !UNRESTRICTED.has(p) && p !== "examples"));
  const missing = [...parts].flatMap(facesOf).filter((face) => !existsSync(join(root, face)));
  expect(missing).toEqual([]);
  expect([...parts].filter((p) => ALLOWED[p] === undefined)).toEqual([]);
});

test("the rules catch what they are for", () => {
  const rules = (file: string, text: string) => violationsOf(file, text).map((v) => v.rule);
  expect(rules("core/x.ts", `import { AdminClient } from "../runtime/client.ts";`)).toEqual([
    "core may not import runtime/client (core may import: proto (proto/messages.ts))",
  ]);
  expect(rules("sdk/x.ts", `import type { Literal } from "../proto/index.ts";`)).toEqual([
    "sdk may import proto only through proto/messages.ts, not proto/index.ts",
  ]);
  expect(rules("runtime/server/x.ts", `export { sensorPath } from "../scheduler/transitions/sensors.ts";`)).toEqual([
    "runtime/server may import runtime/scheduler only through runtime/scheduler/index.ts, not runtime/scheduler/transitions/sensors.ts",
  ]);
  expect(rules("runtime/cli/x.ts", `const m = await import("../../examples/ml-pipeline/pipeline.ts");`)).toEqual([
    expect.stringMatching(/^runtime\/cli may not import examples/),
  ]);
  expect(rules("runtime/cli/x.ts", `import { startServer } from "../server/index.ts";`)).toEqual([
    "runtime/cli may import runtime/server only from runtime/cli/demo-run.ts",
  ]);
  expect(rules("runtime/worker/x.ts", `import { task } from "weir"; let t: import("weir/values").LiteralError;`)).toEqual([
    "runtime/worker may import sdk only through sdk/values.ts, not sdk/index.ts",
  ]);
  expect(rules("runtime/worker/x.ts", `// import { Engine } from "../scheduler/index.ts";\nconst s = 'import "../store/index.ts"';`)).toEqual([]);
  expect(rules("test/x.ts", `import { Engine } from "../runtime/scheduler/engine.ts";`)).toEqual([]);
  expect(rules("ui/app/x.tsx", `import { connectAdmin } from "../../runtime/client.ts";`)).toEqual([
    expect.stringMatching(/^ui may not import runtime\/client/),
  ]);
  expect(rules("ui/app/x.ts", `import { AdminService } from "../../proto/index.ts";`)).toEqual([
    "ui may import proto only through proto/messages.ts, not proto/index.ts",
  ]);
});
