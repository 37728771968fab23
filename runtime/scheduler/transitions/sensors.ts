// File sensors: the runtime's own check of a path, run on an interval without holding a worker slot.
// A sensor's path comes from a spec (and the inputs a client gave), so it is confined: it resolves
// inside the project root, or inside a root the operator named (`weir server --sensor-root`). What
// it finds is stored in the artifact store, so it reaches tasks as a ref like any other value's.
import { realpath, stat } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { create } from "@bufbuild/protobuf";
import { BlobKind, LiteralSchema, type Literal } from "../../../proto/index.ts";
import { hashLiteral } from "../../../sdk/values.ts";
import { LocalArtifactStore, isStrictlyInside } from "../../artifacts/index.ts";
import { BindingError } from "../model/bindings.ts";

/** Where sensor paths may lead (relative paths resolve against the project root), and where what they find is stored. */
export interface SensorRoots {
  readonly projectRoot: string;
  /** Further directories absolute sensor paths may name (`--sensor-root`, repeatable). */
  readonly extra: readonly string[];
  /** The artifact store a found file or directory is copied into (content-addressed: once per content). */
  readonly artifactRoot: string;
}

/** The roots a path is checked against. */
type PathRoots = Pick<SensorRoots, "projectRoot" | "extra">;

/** A sensor path that leads outside every sensor root: the node fails with BINDING_FAILED and this message. */
export class SensorPathOutside extends BindingError {}

/** The absolute path a sensor watches; throws SensorPathOutside when it leaves the roots. */
export function sensorPath(path: string, roots: PathRoots): string {
  const abs = isAbsolute(path) ? resolve(path) : resolve(roots.projectRoot, path);
  if (path.includes("\0") || !insideAny(abs, allRoots(roots))) throw outside(path, roots);
  return abs;
}

/**
 * `abs` (already inside a root) with its symlinks followed, checked to stay inside a root's real
 * path: a link in the project cannot make a sensor read elsewhere. Undefined while it does not exist.
 */
export async function realSensorPath(abs: string, path: string, roots: PathRoots): Promise<string | undefined> {
  const real = await realpath(abs).catch(() => undefined);
  if (real === undefined) return undefined;
  const realRoots = await Promise.all(allRoots(roots).map((r) => realpath(r).catch(() => r)));
  if (!insideAny(real, realRoots)) throw outside(path, roots);
  return abs;
}

function allRoots(roots: PathRoots): string[] {
  return [roots.projectRoot, ...roots.extra].map((r) => resolve(r));
}

function insideAny(abs: string, roots: readonly string[]): boolean {
  return roots.some((root) => isStrictlyInside(root, abs));
}

function outside(path: string, roots: PathRoots): SensorPathOutside {
  const shown = path.length > 200 ? `${path.slice(0, 200)}…(${path.length} characters)` : path;
  const extra = roots.extra.length ? ` or the sensor roots ${roots.extra.join(", ")}` : "";
  return new SensorPathOutside(
    `sensor path '${shown}' leads outside the project root ${roots.projectRoot}${extra}; sensors watch files inside the project, or start the runtime with --sensor-root <dir> to allow another directory`,
  );
}

/**
 * The file (or directory) as a blob literal when it exists, stored in the artifact store; undefined
 * when it does not exist yet. Rejects with a BindingError when it leads outside the roots (`path` is
 * what the spec gave) or exists but cannot be read.
 */
export async function pokeFile(absPath: string, path: string, roots: SensorRoots): Promise<Literal | undefined> {
  if ((await realSensorPath(absPath, path, roots)) === undefined) return undefined;
  const info = await stat(absPath).catch(() => undefined);
  if (!info) return undefined;
  const isDir = info.isDirectory();
  const store = new LocalArtifactStore(roots.artifactRoot);
  const stored = await (isDir ? store.putDir(absPath) : store.put(absPath)).catch((err: Error) => {
    throw new BindingError(`sensor ${isDir ? "directory" : "file"} ${absPath} exists but cannot be read (${err.message}); give the runtime read access to it`);
  });
  const lit = create(LiteralSchema, {
    value: { case: "blob", value: { uri: stored.uri, sha256: stored.sha256, size: BigInt(stored.size), kind: isDir ? BlobKind.DIRECTORY : BlobKind.FILE } },
  });
  lit.hash = hashLiteral(lit);
  return lit;
}
