// The cache key of an attempt (DESIGN.md "Identity, versions, caching") and the check that a cached
// entry's artifacts still exist: a missing artifact makes the entry a miss, never a failure.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Literal, LiteralSet, TaskTemplate } from "../../../proto/index.ts";

/** sha256 over the task name, its cache version (or code hash) and each input's name and hash, sorted. */
export function cacheKey(task: TaskTemplate, inputs: LiteralSet): string {
  const h = createHash("sha256");
  h.update(`task\0${task.name}\0version\0${task.cache?.version || task.version}\0`);
  for (const name of Object.keys(inputs.literals).sort()) {
    h.update(`${name}\0${inputs.literals[name].hash}\0`);
  }
  return h.digest("hex");
}

/** The file:// URIs a literal refers to, recursively. */
export function artifactUris(lit: Literal, into: string[] = []): string[] {
  const v = lit.value;
  if (v.case === "blob") into.push(v.value.uri);
  else if (v.case === "dataframe") into.push(v.value.uri);
  else if (v.case === "collection") for (const item of v.value.items) artifactUris(item, into);
  else if (v.case === "map") for (const item of Object.values(v.value.entries)) artifactUris(item, into);
  return into;
}

/** True when every local artifact the outputs reference is still on disk (non-file URIs are trusted). */
export function artifactsExist(outputs: LiteralSet): boolean {
  for (const lit of Object.values(outputs.literals)) {
    for (const uri of artifactUris(lit)) {
      if (uri.startsWith("file://") && !existsSync(fileURLToPath(uri))) return false;
    }
  }
  return true;
}
