// Attempt work directories: `<project>/.weir/work/<execution>/<node>/<attempt>`, confined to the
// work root whatever the ids hold. A succeeded attempt's directory is removed once its Result is
// handed to the connection; a failed one's is kept for a retention (`--keep-failed-work`) so it
// can be inspected, then swept (at worker start and periodically) with any other stale directory.
import { existsSync } from "node:fs";
import { readdir, rm, rmdir, stat, utimes } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { PathOutsideRoot } from "../artifacts/index.ts";

/** The work root of a project. */
export function workRoot(projectRoot: string): string {
  return join(resolve(projectRoot), ".weir", "work");
}

/**
 * An attempt's directory; throws PathOutsideRoot unless each id is one plain path segment (no
 * separator, NUL, `.` or `..`), so no id can reach another attempt's directory, let alone leave the
 * work root. Checked per attempt without path resolution (it sits on every Assign's path).
 */
export function attemptWorkDir(projectRoot: string, executionId: string, nodeId: string, attempt: number): string {
  if (cachedRoot.project !== projectRoot) cachedRoot = { project: projectRoot, work: workRoot(projectRoot) };
  const root = cachedRoot.work;
  if (!isSegment(executionId) || !isSegment(nodeId)) throw new PathOutsideRoot(root, `${executionId}/${nodeId}`);
  return `${root}${sep}${executionId}${sep}${nodeId}${sep}${attempt}`;
}

let cachedRoot = { project: "", work: "" };
const isSegment = (id: string): boolean => id !== "" && id !== "." && id !== ".." && !/[/\\\0]/.test(id);

export function workDirExists(dir: string): boolean {
  return existsSync(dir);
}

/** Removes an attempt's directory and the node and execution directories it leaves empty. */
export async function removeWorkDir(projectRoot: string, dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  const root = workRoot(projectRoot);
  for (let parent = dirname(dir); parent !== root && parent.startsWith(root); parent = dirname(parent)) {
    // Fails while another attempt of the node (or a node of the execution) still has one: fine.
    if (
      !(await rmdir(parent).then(
        () => true,
        () => false,
      ))
    )
      return;
  }
}

/**
 * Removes attempt directories untouched for `keepMs` (and the parents they leave empty). `live`
 * are this worker's running attempts: touched first, so no worker sharing the project sweeps them.
 * Returns how many attempt directories it removed.
 */
export async function sweepWorkDirs(projectRoot: string, keepMs: number, live: Iterable<string>): Promise<number> {
  const now = new Date();
  for (const dir of live) await utimes(dir, now, now).catch(() => undefined);
  const root = workRoot(projectRoot);
  const cutoff = now.getTime() - keepMs;
  let removed = 0;
  for (const execution of await entries(root)) {
    for (const node of await entries(execution)) {
      for (const attempt of await entries(node)) {
        const info = await stat(attempt).catch(() => undefined);
        if (!info || info.mtimeMs > cutoff) continue;
        await rm(attempt, { recursive: true, force: true });
        removed++;
      }
      await rmdir(node).catch(() => undefined);
    }
    await rmdir(execution).catch(() => undefined);
  }
  return removed;
}

async function entries(dir: string): Promise<string[]> {
  const found = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return found.filter((e) => e.isDirectory()).map((e) => join(dir, e.name));
}
