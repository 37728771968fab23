// A stored directory: a JSON manifest of its files (relative '/'-separated path, sha256, size), stored
// as a blob of its own; its files are blobs too. A manifest may come from a client, so its shape is
// checked here and each entry's path and hash where it is used.
import { ArtifactError, clip } from "./artifact-error.ts";

export interface DirManifest {
  weirDirManifest: 1;
  files: DirManifestEntry[];
}

export interface DirManifestEntry {
  path: string;
  sha256: string;
  size: number;
}

/** The manifest's bytes, entries sorted by path, so one directory's content always hashes the same. */
export function encodeDirManifest(files: DirManifestEntry[]): Uint8Array {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const manifest: DirManifest = { weirDirManifest: 1, files: sorted };
  return new TextEncoder().encode(JSON.stringify(manifest));
}

/** A directory manifest, checked for shape (ARTIFACT_INVALID otherwise); `ref` names it in the message. */
export function parseDirManifest(bytes: Uint8Array, ref: string): DirManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    parsed = undefined;
  }
  const m = parsed as Partial<DirManifest> | undefined;
  const ok =
    m?.weirDirManifest === 1 &&
    Array.isArray(m.files) &&
    m.files.every((f) => typeof f === "object" && f !== null && typeof f.path === "string" && typeof f.sha256 === "string");
  if (!ok) throw new ArtifactError("ARTIFACT_INVALID", `directory ref ${clip(ref)} does not name a directory manifest (store it with putDir)`);
  return m as DirManifest;
}
