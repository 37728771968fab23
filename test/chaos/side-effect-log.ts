// Reads the side-effect log the fixture's task appends to: one line per completed task body,
// `<execution> <node> <attempt> <epoch ms> <pid>` (test/fixtures/chaos/project/side-effects.ts).
import { readFileSync } from "node:fs";

export interface BodyRun {
  readonly execution: string;
  readonly node: string;
  readonly attempt: number;
  readonly at: number;
  readonly pid: number;
}

export function readBodyRuns(file: string): BodyRun[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const runs: BodyRun[] = [];
  for (const line of text.split("\n")) {
    const [execution, node, attempt, at, pid] = line.split(" ");
    if (!execution || !node || pid === undefined) continue;
    runs.push({ execution, node, attempt: Number(attempt), at: Number(at), pid: Number(pid) });
  }
  return runs;
}

/** Lines in the log so far (bodies completed), without parsing them. */
export function countBodyRuns(file: string): number {
  try {
    const text = readFileSync(file, "utf8");
    let n = 0;
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) n++;
    return n;
  } catch {
    return 0;
  }
}
