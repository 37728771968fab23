// File sensors: the runtime's own check of a path, run on an interval without holding a worker slot.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { create } from "@bufbuild/protobuf";
import { BlobKind, LiteralSchema, type Literal } from "../../proto/index.ts";

export function sensorPath(path: string, projectRoot: string): string {
  return isAbsolute(path) ? path : resolve(projectRoot, path);
}

/** The file as a blob literal when it exists (hashing its bytes), undefined when it does not yet. */
export async function pokeFile(absPath: string): Promise<Literal | undefined> {
  let info;
  try {
    info = await stat(absPath);
  } catch {
    return undefined;
  }
  const isDir = info.isDirectory();
  const sha256 = isDir ? "" : await hashFile(absPath);
  return create(LiteralSchema, {
    value: {
      case: "blob",
      value: { uri: pathToFileURL(absPath).href, sha256, size: BigInt(info.size), kind: isDir ? BlobKind.DIRECTORY : BlobKind.FILE },
    },
    hash: sha256 || createHash("sha256").update(pathToFileURL(absPath).href).digest("hex"),
  });
}

function hashFile(path: string): Promise<string> {
  return new Promise((ok, fail) => {
    const h = createHash("sha256");
    createReadStream(path)
      .on("data", (d) => h.update(d))
      .on("end", () => ok(h.digest("hex")))
      .on("error", fail);
  });
}

/** "2h", "90s", "1500ms": how a sensor's timeout reads in its failure message. */
export function humanDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}
