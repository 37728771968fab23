// Confinement: the one rule every path built from an id, a name, a ref or a manifest obeys. A path
// is resolved against its root and must land strictly inside it; `..`, absolute parts and NUL bytes
// cannot lead out. `realpathInside` also follows symlinks, for paths read from a store others write.
import { realpathSync } from "node:fs";
import { realpath } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";

/** A path that would leave its root: code PATH_OUTSIDE_ROOT, with the root and what was asked. */
export class PathOutsideRoot extends Error {
  readonly code = "PATH_OUTSIDE_ROOT";
  constructor(
    readonly root: string,
    readonly requested: string,
  ) {
    super(`'${clip(requested)}' leads outside ${root}; ids, names and refs must stay inside the directory they address`);
    this.name = "PathOutsideRoot";
  }
}

/**
 * `root` joined with `parts`, resolved, and checked to lie strictly below `root` (never the root
 * itself). A part may not be absolute or hold a NUL byte; `..` is allowed only while it stays inside.
 */
export function resolveInside(root: string, ...parts: string[]): string {
  const base = resolve(root);
  const requested = parts.join("/");
  for (const part of parts) {
    if (isAbsolute(part) || part.includes("\0")) throw new PathOutsideRoot(base, requested);
  }
  const target = resolve(base, ...parts);
  if (!isStrictlyInside(base, target)) throw new PathOutsideRoot(base, requested);
  return target;
}

/** Whether `target` (absolute, normalised) lies strictly below `root` (absolute, normalised). */
export function isStrictlyInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * `target` (already lexically inside `root`), checked with its symlinks followed to stay inside
 * `root`'s own real path: a link planted in the store cannot point a reader elsewhere. Returns
 * `target`; one that does not exist yet passes (the caller's read or write reports it).
 */
export async function realpathInside(root: string, target: string): Promise<string> {
  const realRoot = await realpath(root).catch(() => resolve(root));
  return checkReal(root, realRoot, await realpath(target).catch(missing), target);
}

/** realpathInside, synchronously (for the path a task is handed). */
export function realpathInsideSync(root: string, target: string): string {
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    realRoot = resolve(root);
  }
  let real: string | undefined;
  try {
    real = realpathSync(target);
  } catch (err) {
    real = missing(err as NodeJS.ErrnoException);
  }
  return checkReal(root, realRoot, real, target);
}

function missing(err: NodeJS.ErrnoException): undefined {
  if (err.code === "ENOENT" || err.code === "ENOTDIR") return undefined;
  throw err;
}

function checkReal(root: string, realRoot: string, real: string | undefined, target: string): string {
  if (real !== undefined && !isStrictlyInside(realRoot, real)) throw new PathOutsideRoot(resolve(root), target);
  return target;
}

/** Hostile input may be huge: quote at most 200 characters of it. */
function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}… (${text.length} characters)` : text;
}
