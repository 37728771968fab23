// An ArtifactWriter that stores into the runtime's own artifact store through UploadArtifact, so
// `weir run --input name=@path` builds the very literal a task would, wherever the runtime runs.
import { createReadStream } from "node:fs";
import { lstat, readdir, stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { BlobKind, type UploadArtifactRequestSchema, type UploadArtifactResponse } from "../../proto/index.ts";
import type { ArtifactWriter, StoredArtifact } from "../../sdk/values.ts";
import type { AdminClient } from "../client.ts";
import { UPLOAD_LIMITS } from "../config.ts";
import { CliError } from "./action.ts";

type Chunk = MessageInitShape<typeof UploadArtifactRequestSchema>;

export function uploadingWriter(client: Pick<AdminClient, "uploadArtifact">): ArtifactWriter {
  return {
    async put(source) {
      if (typeof source !== "string") return stored(await client.uploadArtifact(bytesChunks(source)));
      const path = resolve(source);
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile()) throw new CliError("INPUT_FILE_MISSING", `cannot upload '${path}': it is not a readable file`, 2);
      checkSize(info.size, path);
      return stored(await client.uploadArtifact(fileChunks(path, BlobKind.FILE, "")));
    },
    async putDir(dirPath) {
      const root = resolve(dirPath);
      if (!(await stat(root).catch(() => undefined))?.isDirectory())
        throw new CliError("INPUT_FILE_MISSING", `cannot upload '${root}': it is not a directory`, 2);
      const files: { rel: string; size: number }[] = [];
      for (const rel of await readdir(root, { recursive: true })) {
        // Regular files only, as the runtime's store keeps them (links and devices are skipped).
        const info = await lstat(join(root, rel));
        if (info.isFile()) files.push({ rel, size: info.size });
      }
      checkSize(
        files.reduce((sum, f) => sum + f.size, 0),
        root,
      );
      return stored(
        await client.uploadArtifact(
          dirChunks(
            root,
            files.map((f) => f.rel),
          ),
        ),
      );
    },
  };
}

function checkSize(size: number, path: string): void {
  if (size > UPLOAD_LIMITS.maxBytes) {
    throw new CliError(
      "INPUT_TOO_LARGE",
      `'${path}' holds ${size} bytes, over the ${UPLOAD_LIMITS.maxBytes / 2 ** 30} GiB upload limit; produce data this large with a task instead`,
      2,
    );
  }
}

function stored(res: UploadArtifactResponse): StoredArtifact {
  return { uri: res.uri, sha256: res.sha256, size: Number(res.size) };
}

function* bytesChunks(bytes: Uint8Array): Iterable<Chunk> {
  checkSize(bytes.byteLength, "the table");
  yield { kind: BlobKind.FILE, data: bytes.subarray(0, UPLOAD_LIMITS.chunkBytes) };
  for (let at = UPLOAD_LIMITS.chunkBytes; at < bytes.byteLength; at += UPLOAD_LIMITS.chunkBytes) {
    yield { data: bytes.subarray(at, at + UPLOAD_LIMITS.chunkBytes) };
  }
}

/** One file's chunks; the first carries `kind` and every one the file's path in the directory. */
async function* fileChunks(path: string, kind: BlobKind, rel: string): AsyncIterable<Chunk> {
  let first = true;
  for await (const data of createReadStream(path, { highWaterMark: UPLOAD_LIMITS.chunkBytes })) {
    yield { kind: first ? kind : BlobKind.UNSPECIFIED, path: rel, data: data as Buffer };
    first = false;
  }
  // An empty file still has to exist on the other side.
  if (first) yield { kind, path: rel };
}

async function* dirChunks(root: string, files: string[]): AsyncIterable<Chunk> {
  yield { kind: BlobKind.DIRECTORY };
  for (const rel of files) yield* fileChunks(join(root, rel), BlobKind.DIRECTORY, rel.split(sep).join("/"));
}
