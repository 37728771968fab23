// The door check of literals a client sent (CreateExecution inputs, literals in a spec, a worker's
// outputs): nested at most LITERAL_LIMITS.maxDepth deep, and every blob or dataframe ref naming a
// file of the runtime's artifact store at the path its sha256 gives (`<root>/sha256/ab/abcd…`), so
// the path IS the hash the cache keys use and no ref can hand a task a file from anywhere else.
// Directory refs name a stored manifest whose entries are stored blobs at relative paths.
import { lstatSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BlobKind, type Literal } from "../../proto/index.ts";
import { LocalArtifactStore } from "../artifacts/index.ts";
import { quoted } from "./client-text.ts";
import { LITERAL_LIMITS } from "./literal-depth.ts";

const SHA256 = /^[0-9a-f]{64}$/;
/** Problems listed in one answer; the first few say enough. */
const MAX_PROBLEMS = 10;
/** A directory manifest larger than this is not one weir wrote (a million files is ~100 MiB; refuse well before). */
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

export class LiteralAdmission {
  private readonly artifacts: LocalArtifactStore;

  constructor(artifactRoot: string) {
    this.artifacts = new LocalArtifactStore(artifactRoot);
  }

  /**
   * Problems of `literals` (name → literal), each naming its value as `label(name)` plus the path
   * inside it; [] when they may enter. Walks without recursion and stops below the depth limit.
   */
  problems(literals: Record<string, Literal>, label: (name: string) => string): string[] {
    const problems: string[] = [];
    const stack: Array<{ lit: Literal; depth: number; path: () => string }> = [];
    for (const [name, lit] of Object.entries(literals)) stack.push({ lit, depth: 1, path: () => label(name) });
    while (stack.length && problems.length < MAX_PROBLEMS) {
      const { lit, depth, path } = stack.pop()!;
      if (depth > LITERAL_LIMITS.maxDepth) {
        problems.push(`${path()}: nests deeper than ${LITERAL_LIMITS.maxDepth} levels`);
        continue;
      }
      const v = lit.value;
      if (v.case === "collection") for (const [i, item] of v.value.items.entries()) stack.push({ lit: item, depth: depth + 1, path: () => `${path()}[${i}]` });
      else if (v.case === "map")
        for (const [k, item] of Object.entries(v.value.entries))
          stack.push({ lit: item, depth: depth + 1, path: () => `${path()}[${JSON.stringify(quoted(k))}]` });
      else if (v.case === "blob" || v.case === "dataframe") {
        const problem = this.refProblem(v.value.uri, v.value.sha256, v.case === "blob" && v.value.kind === BlobKind.DIRECTORY);
        if (problem) problems.push(`${path()}: ${problem}`);
      }
    }
    return problems;
  }

  /** Why a ref may not enter, or undefined. */
  private refProblem(uri: string, sha256: string, directory: boolean): string | undefined {
    if (!SHA256.test(sha256)) return `its sha256 '${quoted(sha256)}' is not 64 lowercase hex digits; refs name artifacts by their content hash`;
    const expected = this.artifacts.pathForHash(sha256);
    let path: string | undefined;
    try {
      path = uri.startsWith("file://") ? resolve(fileURLToPath(uri)) : undefined;
    } catch {
      path = undefined;
    }
    if (path !== expected) {
      return `ref '${quoted(uri)}' is not the artifact store's file for sha256 ${sha256} (${expected}); a ref must name a blob the runtime's artifact store holds (upload local files with \`weir run --input name=@path\`)`;
    }
    let size: number;
    try {
      const info = lstatSync(path);
      if (!info.isFile()) return `ref '${quoted(uri)}' is not a regular file in the artifact store`;
      size = info.size;
    } catch {
      return `ref '${quoted(uri)}' is not in the artifact store (${this.artifacts.root}); upload the file first`;
    }
    return directory ? this.manifestProblem(path, size) : undefined;
  }

  /** A directory ref's manifest: weir's shape, entries that are stored blobs at relative paths inside the directory. */
  private manifestProblem(path: string, size: number): string | undefined {
    const what = "its directory manifest";
    if (size > MAX_MANIFEST_BYTES) return `${what} is larger than ${MAX_MANIFEST_BYTES} bytes`;
    let manifest: { weirDirManifest?: unknown; files?: unknown } | undefined;
    try {
      manifest = JSON.parse(readFileSync(path, "utf8"));
    } catch {
      manifest = undefined;
    }
    if (manifest?.weirDirManifest !== 1 || !Array.isArray(manifest.files)) return `${what} is not one (store directories with UploadArtifact, kind DIRECTORY)`;
    for (const f of manifest.files as Array<{ path?: unknown; sha256?: unknown }>) {
      if (typeof f?.sha256 !== "string" || !SHA256.test(f.sha256)) return `${what} lists a file whose sha256 is not 64 lowercase hex digits`;
      const parts = typeof f.path === "string" ? f.path.split("/") : [""];
      if (parts.some((p) => p === "" || p === "." || p === ".." || p.includes("\\") || p.includes("\0"))) {
        return `${what} lists '${quoted(String(f.path))}', which is not a relative '/'-separated path inside the directory`;
      }
    }
    return undefined;
  }
}
