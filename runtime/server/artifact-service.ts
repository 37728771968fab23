// ArtifactService: the runtime's artifact store for workers that do not share its disk, and for the
// web UI (a dataframe's first rows). A blob is named by its sha256 and nothing else (no path a client
// writes reaches the file system); downloads stream from an offset, so a broken one resumes, and
// read a chunk only when the transport can send it (a slow client holds one chunk in memory, not
// the blob); an upload is hashed as it arrives and becomes visible only when it matches its header
// (the store's putStream: temp file + rename).
import { create } from "@bufbuild/protobuf";
import {
  type ArtifactService,
  DownloadBlobResponseSchema,
  StatBlobResponseSchema,
  UploadBlobResponseSchema,
  type DownloadBlobRequest,
  type DownloadBlobResponse,
  type StatBlobRequest,
  type UploadBlobRequest,
  type UploadBlobResponse,
} from "../../proto/index.ts";
import { ArtifactError, checkSha256, type ArtifactStore } from "../artifacts/index.ts";
import { RuntimeError } from "../error-codes.ts";
import { quoted } from "./client-text.ts";
import type { ServiceMethods } from "./service-methods.ts";

export const ARTIFACT_SERVICE_LIMITS = Object.freeze({
  /** The largest blob UploadBlob takes (a header declaring more is refused before a byte is written). */
  maxBlobBytes: 64 * 1024 ** 3,
});

export interface ArtifactServiceDeps {
  store: ArtifactStore;
}

/** ArtifactService as typed functions (service-methods.ts), served over gRPC and, for the web UI, over Connect. */
export type ArtifactMethods = ServiceMethods<typeof ArtifactService>;

export function artifactMethods({ store }: ArtifactServiceDeps): ArtifactMethods {
  return {
    statBlob: async (req: StatBlobRequest) => {
      const found = await storeCall(() => store.stat(blobName(req.sha256)));
      return create(StatBlobResponseSchema, found ? { present: true, size: BigInt(found.size), uri: found.uri } : { present: false });
    },
    downloadBlob: (req: DownloadBlobRequest, signal: AbortSignal) => download(req, store, signal),
    uploadBlob: (requests: AsyncIterable<UploadBlobRequest>, signal: AbortSignal) => upload(requests, store, signal),
  };
}

/** The blob's chunks from the request's offset; each is read from the store only when the transport asks for it. */
async function* download(req: DownloadBlobRequest, store: ArtifactStore, signal: AbortSignal): AsyncIterable<DownloadBlobResponse> {
  const sha256 = blobName(req.sha256);
  const offset = req.offset;
  const found = await storeCall(() => store.stat(sha256));
  if (!found) throw new RuntimeError("NOT_FOUND", `blob ${sha256} is not in the runtime's artifact store`);
  if (offset > BigInt(found.size)) {
    throw new RuntimeError("INVALID_ARGUMENT", `offset ${offset} is past the end of blob ${sha256} (${found.size} bytes); resume from at most its size`);
  }
  const chunks = await storeCall(() => store.openRead(sha256, Number(offset)));
  let at = offset;
  let first = true;
  try {
    for await (const data of chunks) {
      if (signal.aborted) return;
      yield create(DownloadBlobResponseSchema, { size: first ? BigInt(found.size) : 0n, offset: at, data });
      first = false;
      at += BigInt(data.byteLength);
    }
  } finally {
    chunks.destroy();
  }
  // Nothing left to send (an empty blob, or resumed at its end): the first message still says the size.
  if (first && !signal.aborted) yield create(DownloadBlobResponseSchema, { size: BigInt(found.size), offset: at });
}

async function upload(requests: AsyncIterable<UploadBlobRequest>, store: ArtifactStore, signal: AbortSignal): Promise<UploadBlobResponse> {
  const messages = requests[Symbol.asyncIterator]();
  const head = await messages.next();
  if (head.done) throw new RuntimeError("INVALID_ARGUMENT", "the upload was empty: its first message must be the header (sha256 and size)");
  if (head.value.part.case !== "header")
    throw new RuntimeError("INVALID_ARGUMENT", "the first UploadBlob message must be the header (sha256 and size), not data");
  const sha256 = blobName(head.value.part.value.sha256);
  const size = head.value.part.value.size;
  if (size > BigInt(ARTIFACT_SERVICE_LIMITS.maxBlobBytes)) {
    throw new RuntimeError(
      "INVALID_ARGUMENT",
      `blob ${sha256} declares ${size} bytes; the runtime takes blobs of at most ${ARTIFACT_SERVICE_LIMITS.maxBlobBytes}`,
    );
  }
  async function* data(): AsyncIterable<Uint8Array> {
    for (let next = await messages.next(); !next.done; next = await messages.next()) {
      if (next.value.part.case !== "data") throw new RuntimeError("INVALID_ARGUMENT", "only the first UploadBlob message may be a header; the rest carry data");
      yield next.value.part.value;
    }
    // A client that went away ends the stream early: what arrived is not the blob.
    if (signal.aborted) throw new RuntimeError("INVALID_ARGUMENT", "the upload was cancelled before it ended; nothing was stored");
  }
  // A blob the store holds is answered at once (the rest of the stream is not read).
  const stored = await storeCall(() => store.putStream({ sha256, size: Number(size) }, data()));
  return create(UploadBlobResponseSchema, { uri: stored.uri, sha256: stored.sha256, size: BigInt(stored.size), created: stored.created });
}

/** A client's blob name, refused unless it is a sha256: only those name files, and only in the store. */
function blobName(name: string): string {
  try {
    return checkSha256(name);
  } catch {
    throw new RuntimeError("INVALID_ARGUMENT", `'${quoted(name)}' is not a sha256 (64 lowercase hex digits); blobs are named by their content hash only`);
  }
}

/** A store call, its ArtifactErrors as the statuses a client can act on. */
async function storeCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof ArtifactError)) throw err;
    if (err.code === "ARTIFACT_MISSING") throw new RuntimeError("NOT_FOUND", err.message);
    if (err.code === "ARTIFACT_INVALID" || err.code === "ARTIFACT_OUTSIDE_STORE") throw new RuntimeError("INVALID_ARGUMENT", err.message);
    throw err;
  }
}
