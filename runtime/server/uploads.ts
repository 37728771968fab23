// UploadArtifact and PutArtifact: a file or directory streamed in by `weir run --input name=@path`
// (or sent in one message by a browser), staged under the artifact root and then stored by the
// LocalArtifactStore (content-addressed, temp file + rename). The staging directory is removed
// whatever happens, so a broken upload leaves nothing behind.
import { randomBytes } from "node:crypto";
import { mkdir, open, rm, type FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { BlobKind, UploadArtifactResponseSchema, type UploadArtifactRequest, type UploadArtifactResponse } from "../../proto/index.ts";
import { LocalArtifactStore } from "../artifacts/index.ts";
import { UPLOAD_LIMITS } from "../config.ts";
import { RuntimeError } from "../error-codes.ts";
import { quoted } from "./client-text.ts";

export class ArtifactUploads {
  private readonly store: LocalArtifactStore;

  constructor(artifactRoot: string) {
    this.store = new LocalArtifactStore(artifactRoot);
  }

  /**
   * Stores what `requests` carry (UploadArtifact's stream, or PutArtifact's one message); an upload
   * that fails, or whose caller went away (`signal`), stores nothing.
   */
  receive(requests: AsyncIterable<UploadArtifactRequest> | Iterable<UploadArtifactRequest>, signal?: AbortSignal): Promise<UploadArtifactResponse> {
    return receive(requests, this.store, signal);
  }
}

async function receive(
  requests: AsyncIterable<UploadArtifactRequest> | Iterable<UploadArtifactRequest>,
  store: LocalArtifactStore,
  signal: AbortSignal | undefined,
): Promise<UploadArtifactResponse> {
  const staging = join(store.root, "uploads", randomBytes(8).toString("hex"));
  await mkdir(staging, { recursive: true });
  let file: FileHandle | undefined;
  try {
    let kind: BlobKind | undefined;
    let current: string | undefined;
    let total = 0;
    for await (const req of requests) {
      if (kind === undefined) {
        kind = req.kind;
        if (kind !== BlobKind.FILE && kind !== BlobKind.DIRECTORY)
          throw new RuntimeError("INVALID_ARGUMENT", "the first UploadArtifact message must name the kind: file or directory");
      }
      // A directory's first message may only name the kind (an empty directory has no file).
      if (kind === BlobKind.DIRECTORY && req.path === "") continue;
      const path = kind === BlobKind.DIRECTORY ? stagedPath(req.path) : "blob";
      if (path !== current) {
        await file?.close();
        file = undefined;
        // "wx": a file's chunks must be consecutive, so a path seen twice is a broken upload; a file
        // where another path needs a directory (or the reverse) clashes.
        file = await mkdir(dirname(join(staging, path)), { recursive: true })
          .then(() => open(join(staging, path), "wx"))
          .catch(() => {
            throw new RuntimeError("INVALID_ARGUMENT", `UploadArtifact: '${quoted(req.path)}' was sent twice or clashes with another path`);
          });
        current = path;
      }
      total += req.data.byteLength;
      if (total > UPLOAD_LIMITS.maxBytes) {
        throw new RuntimeError(
          "INVALID_ARGUMENT",
          `the upload is larger than the runtime's ${UPLOAD_LIMITS.maxBytes / 2 ** 30} GiB limit; produce large data with a task instead`,
        );
      }
      await file!.write(req.data);
    }
    await file?.close();
    file = undefined;
    if (signal?.aborted) throw new RuntimeError("INVALID_ARGUMENT", "the upload was cancelled before it ended; nothing was stored");
    if (kind === undefined) throw new RuntimeError("INVALID_ARGUMENT", "the upload was empty: the first message must name the kind");
    if (kind === BlobKind.FILE && current === undefined) await (await open(join(staging, "blob"), "wx")).close();
    const stored = kind === BlobKind.DIRECTORY ? await store.putDir(staging) : await store.put(join(staging, "blob"));
    return create(UploadArtifactResponseSchema, { uri: stored.uri, sha256: stored.sha256, size: BigInt(stored.size) });
  } finally {
    await file?.close().catch(() => undefined);
    await rm(staging, { recursive: true, force: true });
  }
}

/** What file systems take: a path of at most 4096 bytes, each name at most 255. */
const MAX_PATH_BYTES = 4096;
const MAX_NAME_BYTES = 255;

/** A directory entry's relative path, refused when it could escape the staging directory or no file system would take it. */
function stagedPath(path: string): string {
  if (path.length > MAX_PATH_BYTES || Buffer.byteLength(path) > MAX_PATH_BYTES) {
    throw new RuntimeError("INVALID_ARGUMENT", `UploadArtifact: path '${quoted(path)}' is longer than ${MAX_PATH_BYTES} bytes`);
  }
  const parts = path.split("/");
  if (parts.some((p) => p === "" || p === "." || p === ".." || p.includes("\\") || p.includes("\0") || Buffer.byteLength(p) > MAX_NAME_BYTES)) {
    throw new RuntimeError(
      "INVALID_ARGUMENT",
      `UploadArtifact: '${quoted(path)}' is not a relative '/'-separated path inside the directory (names of at most ${MAX_NAME_BYTES} bytes)`,
    );
  }
  return join(...parts);
}
