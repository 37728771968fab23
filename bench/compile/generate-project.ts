// Writes a synthetic weir project for the compile benchmark: `taskFiles` files of tasks (`tasks` of
// them, default `bigNodes`), one big workflow of `bigNodes` task calls (none when 0), and
// `smallWorkflows` workflows of `smallNodes` calls.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { BARE_DIRECTORY_TSCONFIG } from "../../compiler/options.ts";

export interface ProjectShape {
  taskFiles: number;
  bigNodes: number;
  smallWorkflows: number;
  smallNodes: number;
  tasks?: number;
}

export const BENCH_SHAPE: Readonly<ProjectShape> = Object.freeze({ taskFiles: 50, bigNodes: 1000, smallWorkflows: 100, smallNodes: 20 });

export function generateProject(dir: string, sdkIndex: string, shape: ProjectShape = BENCH_SHAPE): void {
  mkdirSync(path.join(dir, "tasks"), { recursive: true });
  mkdirSync(path.join(dir, "workflows"), { recursive: true });
  writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify(
      {
        compilerOptions: {
          ...BARE_DIRECTORY_TSCONFIG,
          types: [],
          lib: ["ES2023"],
          paths: { weir: [sdkIndex] },
        },
        include: ["**/*.ts"],
      },
      null,
      2,
    ),
  );
  const perFile = Math.ceil((shape.tasks ?? shape.bigNodes) / shape.taskFiles);
  const names: Array<{ file: number; name: string }> = [];
  for (let f = 0; f < shape.taskFiles; f++) {
    const lines = [`import { df, t, task } from "weir";`, `const Table = df.schema({ id: df.int64(), score: df.float64().nullable() });`];
    for (let i = 0; i < perFile; i++) {
      const name = `step_${f}_${i}`;
      names.push({ file: f, name });
      lines.push(
        `export const ${name} = task({ name: "${name}", inputs: { x: t.int(), table: Table }, outputs: { y: t.int(), table: Table }, retries: 2, timeout: "5m" }, ({ x, table }) => ({ y: x + ${i}, table }));`,
      );
    }
    writeFileSync(path.join(dir, "tasks", `file_${f}.ts`), `${lines.join("\n")}\n`);
  }
  const imports = (used: typeof names) =>
    [...new Set(used.map((n) => n.file))].map(
      (f) =>
        `import { ${used
          .filter((n) => n.file === f)
          .map((n) => n.name)
          .join(", ")} } from "../tasks/file_${f}.ts";`,
    );
  const chain = (used: typeof names, wfName: string) => {
    // A binary tree of dependencies (node i reads node (i-1)/2): a wide DAG, as real pipelines are,
    // rather than one 1,000-deep chain whose inferred types nest 1,000 levels.
    const body = [`  const n0 = ${used[0].name}({ x: inputs.x, table: inputs.table });`];
    for (let i = 1; i < used.length; i++) {
      const up = Math.floor((i - 1) / 2);
      body.push(`  const n${i} = ${used[i].name}({ x: n${up}.y, table: n${up}.table });`);
    }
    return [
      `export const ${wfName} = workflow({ name: "${wfName}", inputs: { x: t.int(), table: Table }, outputs: { y: t.int() } }, (inputs) => {`,
      ...body,
      `  return { y: n${used.length - 1}.y };`,
      `});`,
    ];
  };
  const header = [`import { df, t, workflow } from "weir";`, `const Table = df.schema({ id: df.int64(), score: df.float64().nullable() });`];
  const big = names.slice(0, shape.bigNodes);
  if (big.length > 0) writeFileSync(path.join(dir, "workflows", "big.ts"), `${[...header, ...imports(big), ...chain(big, "big")].join("\n")}\n`);
  for (let w = 0; w < shape.smallWorkflows; w++) {
    const used = Array.from({ length: shape.smallNodes }, (_, i) => names[(w * shape.smallNodes + i) % names.length]);
    writeFileSync(path.join(dir, "workflows", `small_${w}.ts`), `${[...header, ...imports(used), ...chain(used, `small_${w}`)].join("\n")}\n`);
  }
}
