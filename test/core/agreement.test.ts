// The relation's users against one table of cases (agreement-cases.ts): each must give every
// case's verdict.
//   editor    the TypeScript checker on a real call site per case (agreement.test-d.ts checks the
//             same lattice at the type level);
//   compiler  `weir compile` of a generated project wiring each case's producer(s) into its consumer
//             (WEIR1001 = refused);
//   plugin    the same project open in a real tsserver with weir's plugin: a WEIR1001 where the
//             compiler puts it (the consumer call's line and column), none elsewhere;
//   server    RegisterWorkflow's check, core's `checkCompiledWorkflow`, on a spec built per case
//             from the types the compiler extracted (sent through protobuf bytes, as a client would);
//   worker    real Arrow tables a producer of each dataframe type may produce (nulls wherever the
//             type allows them) through `validateTable` against the consumer's declared type, and
//             the stored table's ref through `validateLiteral`, as the consumer's worker reads it.
// For value (non-dataframe) cases the worker has no type to observe, only values: an accepted case
// must also pass at run time (a sample value of the producer type read as the consumer type).
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileLoaded, loadProject } from "../../compiler/index.ts";
import { checkCompiledWorkflow, joinTypes } from "../../core/index.ts";
import { CompiledWorkflowSchema, LiteralTypeSchema, SimpleType } from "../../proto/index.ts";
import type { CompiledWorkflow, LiteralType, Node } from "../../proto/index.ts";
import type { DataFrameType as SdkDataFrameType } from "../../sdk/dataframe.ts";
import { toLiteral, validateLiteral, validateTable } from "../../sdk/values.ts";
import type { ArtifactWriter } from "../../sdk/values.ts";
import { REPO_ROOT } from "../compiler/fixture-paths.ts";
import { pluginProbe } from "../ts-plugin/plugin-project.ts";
import { TsServer } from "../ts-plugin/tsserver-client.ts";
import type { TsDiagnostic } from "../ts-plugin/tsserver-client.ts";
import { agreementCases } from "./agreement-cases.ts";
import type { AgreementCase, Verdict } from "./agreement-cases.ts";
import { V, bind, call, compiled, node, task, workflow } from "./spec-builder.ts";
import { sampleTable } from "./sample-tables.ts";

const cases: readonly AgreementCase[] = agreementCases;

interface Generated {
  source: string;
  /** 1-based line of each case's consumer call. */
  consumerLine: number[];
}

// One workflow per case: `case<i>` wires tasks `p<i>_<arm>` into `c<i>`, through a branch when the
// case has several producers. Types come from the case table itself, so the compiler reads the
// very descriptors the editor checks.
function generate(): Generated {
  const lines = [
    `import { t, task, when, workflow } from ${JSON.stringify(path.join(REPO_ROOT, "sdk/index.ts"))};`,
    `import { agreementCases as cases } from ${JSON.stringify(path.join(REPO_ROOT, "test/core/agreement-cases.ts"))};`,
    `export const gate = task({ name: "gate", inputs: {}, outputs: { ok: t.bool() } }, () => ({ ok: true }));`,
  ];
  const consumerLine: number[] = [];
  cases.forEach((c, i) => {
    c.producers.forEach((_, arm) => {
      lines.push(
        `export const p${i}_${arm} = task({ name: "p${i}_${arm}", inputs: {}, outputs: { out: cases[${i}].producers[${arm}] } }, () => ({}) as never);`,
      );
    });
    lines.push(`export const c${i} = task({ name: "c${i}", inputs: { inp: cases[${i}].consumer }, outputs: {} }, () => ({}));`);
    lines.push(`export const case${i} = workflow({ name: "case${i}" }, () => {`);
    if (c.producers.length === 1) {
      lines.push(`  const out = p${i}_0({}).out;`);
    } else {
      const arms = c.producers.map((_, arm) => `() => ({ out: p${i}_${arm}({}).out })`);
      const middle = arms
        .slice(1, -1)
        .map((a) => `.elif(ok.isFalse(), ${a})`)
        .join("");
      lines.push(`  const ok = gate({}).ok;`);
      lines.push(`  const out = when(ok.isTrue()).then(${arms[0]})${middle}.otherwise(${arms.at(-1)}).out;`);
    }
    lines.push(`  c${i}({ inp: out });`);
    consumerLine[i] = lines.length;
    lines.push(`});`);
  });
  return { source: `${lines.join("\n")}\n`, consumerLine };
}

const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "preserve",
    moduleResolution: "bundler",
    allowImportingTsExtensions: true,
    noEmit: true,
    strict: true,
    skipLibCheck: true,
    typeRoots: [path.join(REPO_ROOT, "node_modules/@types")],
    types: ["node"],
    lib: ["ES2023"],
  },
  include: ["*.ts"],
};

const memoryStore: ArtifactWriter = {
  async put(source) {
    const size = typeof source === "string" ? 0 : source.byteLength;
    return { uri: "file:///memory/artifact", sha256: "0".repeat(64), size };
  },
  async putDir() {
    return { uri: "file:///memory/dir", sha256: "0".repeat(64), size: 0 };
  },
};

type Verdicts = Record<"editor" | "compiler" | "plugin" | "server" | "worker", Verdict | "n/a">;

let dir: string;
let generated: Generated;
let spec: Map<string, CompiledWorkflow>;
let server: TsServer | undefined;
const editorErrors = new Map<number, string[]>();
/** Each case's refusals: where each WEIR1001 is ("line:column"), and their details. */
const compilerErrors = new Map<number, { at: string[]; details: string[] }>();
/** Each case's WEIR1001s in the editor, "line:column" as the compiler's. */
const pluginErrors = new Map<number, string[]>();
const at = (d: TsDiagnostic) => `${d.start.line}:${d.start.offset}`;
const strayErrors: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "weir-agreement-"));
  generated = generate();
  writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(TSCONFIG, null, 2));
  const file = path.join(dir, "workflows.ts");
  writeFileSync(file, generated.source);
  // The plugin: one tsserver for the whole table, asked before the compiler starts so that its
  // (slow) start and check run beside the compile below, in its own process.
  server = new TsServer(pluginProbe(), { global: true });
  const opened = server.open(file);
  const pluginFound = server.weirDiagnostics(file);
  const loaded = loadProject(dir);
  if (!loaded.ok) throw new Error(loaded.diagnostic.message);
  // The editor: TypeScript's own errors, by line of the generated file.
  const lineToCase = new Map(generated.consumerLine.map((line, i) => [line, i]));
  for (const d of loaded.loaded.project.getPreEmitDiagnostics()) {
    const file = d.getSourceFile();
    const text = typeof d.getMessageText() === "string" ? (d.getMessageText() as string) : "(chained message)";
    if (file === undefined || path.resolve(file.getFilePath()) !== path.join(dir, "workflows.ts")) {
      strayErrors.push(`${file?.getFilePath() ?? "?"}: ${text}`);
      continue;
    }
    const i = lineToCase.get(d.getLineNumber() ?? -1);
    if (i === undefined) strayErrors.push(`workflows.ts:${d.getLineNumber()}: ${text}`);
    else editorErrors.set(i, [...(editorErrors.get(i) ?? []), text]);
  }
  // The compiler: weir's own diagnostics only (tsc's are the editor's, above).
  const result = compileLoaded(loaded.loaded, { includeTscDiagnostics: false });
  for (const d of result.diagnostics) {
    const i = d.workflow?.startsWith("case") ? Number(d.workflow.slice(4)) : undefined;
    if (d.category !== "error") continue;
    if (i === undefined || d.code !== "WEIR1001") strayErrors.push(`${d.code} ${d.workflow ?? ""}: ${d.message}`);
    else {
      const found = compilerErrors.get(i) ?? { at: [], details: [] };
      found.at.push(`${d.location?.line}:${d.location?.column}`);
      found.details.push(...d.details);
      compilerErrors.set(i, found);
    }
  }
  spec = new Map(result.specs.map((s) => [s.workflow!.name, s]));
  await opened;
  for (const d of await pluginFound) {
    if (d.category !== "error") continue;
    const i = lineToCase.get(d.start.line);
    if (i === undefined || d.code !== 1001) strayErrors.push(`plugin WEIR${d.code} at ${d.start.line}: ${d.text}`);
    else pluginErrors.set(i, [...(pluginErrors.get(i) ?? []), at(d)]);
  }
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The interface types the compiler extracted for case `i`: each arm's producer and the consumer. */
function extracted(i: number): { producers: LiteralType[]; consumer: LiteralType } {
  const s = spec.get(`case${i}`);
  if (s === undefined) throw new Error(`case${i} was not compiled`);
  const byName = new Map(s.tasks.map((t) => [t.name, t]));
  const producers = cases[i].producers.map((_, arm) => byName.get(`p${i}_${arm}`)?.interface?.outputs[0]?.type);
  const consumer = byName.get(`c${i}`)?.interface?.inputs[0]?.type;
  if (producers.some((p) => p === undefined) || consumer === undefined) throw new Error(`case${i}: types not extracted`);
  return { producers: producers as LiteralType[], consumer };
}

// RegisterWorkflow's view: a spec built per case (a branch's declared output is the join of its
// arms, as the compiler declares it), received as bytes.
function serverVerdict(i: number): Verdict {
  const { producers, consumer } = extracted(i);
  const producerTasks = producers.map((type, arm) => task(`p${arm}`, {}, { out: type }));
  const consumerTask = task("c", { inp: consumer }, {});
  const bool = create(LiteralTypeSchema, { type: { case: "simple", value: SimpleType.BOOLEAN } });
  let nodes: Node[];
  if (producers.length === 1) {
    nodes = [call("p", "p0", {}, 10), call("c", "c", { inp: V.ref("p", "out") }, 11)];
  } else {
    const arms = producers.map((_, arm) => ({ nodes: [call(`p${arm}`, `p${arm}`, {}, 20 + arm)], outputs: bind({ out: V.ref(`p${arm}`, "out") }, 30 + arm) }));
    const condition = {
      expr: {
        case: "comparison",
        value: {
          operator: 1,
          left: V.ref("gate", "ok"),
          right: { value: { case: "literal", value: { value: { case: "scalar", value: { value: { case: "boolean", value: true } } } } } },
        },
      },
    };
    const branch = node(
      "branch",
      {
        case: "branch",
        value: {
          interface: { outputs: [{ name: "out", type: joinTypes(producers) }] },
          cases: arms.slice(0, -1).map((arm) => ({ ...arm, condition })),
          otherwise: arms.at(-1),
        },
      } as never,
      [],
      ["gate"],
      12,
    );
    nodes = [call("gate", "gate", {}, 10), branch, call("c", "c", { inp: V.ref("branch", "out") }, 13)];
    producerTasks.push(task("gate", {}, { ok: bool }));
  }
  const built = compiled(workflow("case", { nodes }), [...producerTasks, consumerTask]);
  const received = fromBinary(CompiledWorkflowSchema, toBinary(CompiledWorkflowSchema, built));
  const errors = checkCompiledWorkflow(received).filter((d) => d.category === "error");
  const unexpected = errors.filter((d) => d.code !== "WEIR1001");
  if (unexpected.length > 0) throw new Error(`case${i}: the built spec is broken: ${unexpected.map((d) => `${d.code} ${d.message}`).join("; ")}`);
  return errors.length > 0 ? "refuse" : "accept";
}

// The worker's view, from real data: every arm's table against the consumer's declared type, and
// the stored table's ref (its observed type) as the consumer's worker reads it. Both must agree.
async function workerVerdict(i: number): Promise<Verdict | "n/a"> {
  const c = cases[i];
  const { producers, consumer } = extracted(i);
  if (consumer.type.case !== "dataframe") return valueVerdict(i, producers, consumer);
  const declared = consumer.type.value;
  const verdicts = new Set<Verdict>();
  for (const [arm, producer] of c.producers.entries()) {
    const table = sampleTable(producer as SdkDataFrameType);
    const producerType = producers[arm];
    // The sample is what a correct producer may produce: its own output check passes.
    expect(validateTable(table, producerType.type.value as never, `case${i} arm ${arm}`)).toEqual([]);
    const problems = validateTable(table, declared, `case${i}`);
    const lit = await toLiteral(table, producerType, memoryStore);
    const read = validateLiteral(lit, consumer, `case${i}`);
    expect(read.length === 0, `case${i} arm ${arm}: the table check says ${JSON.stringify(problems)}, the stored ref ${JSON.stringify(read)}`).toBe(
      problems.length === 0,
    );
    verdicts.add(problems.length === 0 ? "accept" : "refuse");
  }
  return verdicts.has("refuse") ? "refuse" : "accept";
}

// Values carry no type to observe: a refused edge cannot be shown by one value, so only an accepted
// case is checked (a sample of each producer type must read as the consumer type).
async function valueVerdict(i: number, producers: LiteralType[], consumer: LiteralType): Promise<Verdict | "n/a"> {
  if (cases[i].verdict === "refuse") return "n/a";
  for (const producer of producers) {
    const lit = await toLiteral(sampleValue(producer), producer, memoryStore);
    if (validateLiteral(lit, consumer).length > 0) return "refuse";
  }
  return "accept";
}

function sampleValue(type: LiteralType): unknown {
  const t = type.type;
  switch (t.case) {
    case "simple":
      return ({ [SimpleType.INTEGER]: 1, [SimpleType.FLOAT]: 0.5, [SimpleType.STRING]: "s", [SimpleType.BOOLEAN]: true } as Record<number, unknown>)[t.value];
    case "enumType":
      return t.value.values[0];
    case "optional":
      return sampleValue(t.value.inner!);
    case "union":
      return sampleValue(t.value.variants[0]);
    case "collection":
      return [sampleValue(t.value.item!)];
    case "blob":
      return { path: "/memory/file" };
    default:
      throw new Error(`no sample value for ${t.case}`);
  }
}

describe("the relation's users agree on every case", () => {
  it("the generated project has no other error", () => {
    expect(strayErrors).toEqual([]);
  });

  it.each(cases.map((c, i) => [i, c.name, c.verdict] as const))("case %i: %s (%s)", async (i, _name, verdict) => {
    const got: Verdicts = {
      editor: editorErrors.has(i) ? "refuse" : "accept",
      compiler: compilerErrors.has(i) ? "refuse" : "accept",
      plugin: pluginErrors.has(i) ? "refuse" : "accept",
      server: serverVerdict(i),
      worker: await workerVerdict(i),
    };
    const expected: Verdicts = {
      editor: verdict,
      compiler: verdict,
      plugin: verdict,
      server: verdict,
      worker: got.worker === "n/a" ? "n/a" : verdict,
    };
    const compiler = compilerErrors.get(i);
    expect(got, `editor: ${editorErrors.get(i)?.join(" / ") ?? "-"}; compiler: ${compiler?.details.join(" / ") ?? "-"}`).toEqual(expected);
    // A refusal sits on the consumer call, and the editor shows it exactly where the compiler does.
    if (compiler) expect(compiler.at.every((a) => a.startsWith(`${generated.consumerLine[i]}:`))).toBe(true);
    expect(pluginErrors.get(i) ?? []).toEqual(compiler?.at ?? []);
  });
});
