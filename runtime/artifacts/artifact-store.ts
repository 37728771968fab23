// The blob store contract the runtime serves artifacts from: content-addressed bytes named by their
// sha256 alone, never by a path, so a client's name cannot reach outside the store. The local
// directory store implements it; an object store (S3, GCS) could, keyed the same way.
import type { StoredArtifact } from "../../sdk/values.ts";

/** What a store must hash incoming bytes to, and how many there are. */
export interface ExpectedBlob {
  readonly sha256: string;
  readonly size: number;
}

/** A blob written by putStream: its ref, and whether this call wrote it (false: it was there). */
export interface PutResult extends StoredArtifact {
  readonly created: boolean;
}

export interface ArtifactStore {
  /** The URI literals carry for the blob with this hash, stored or not. Throws ARTIFACT_INVALID for a non-sha256. */
  uriFor(sha256: string): string;
  /** The stored blob's ref, or undefined when the store does not hold it. */
  stat(sha256: string): Promise<StoredArtifact | undefined>;
  /** A whole blob, read into memory (manifests, small tables); ARTIFACT_MISSING when absent. */
  get(sha256: string): Promise<Uint8Array>;
  /** A blob's bytes from `offset` on, as a stream of chunks; ARTIFACT_MISSING when absent. */
  openRead(sha256: string, offset?: number): Promise<AsyncIterable<Uint8Array> & { destroy(): void }>;
  /** Stores bytes under their hash (computed here). */
  put(bytes: Uint8Array): Promise<StoredArtifact>;
  /**
   * Stores a stream that must hold exactly `expected.size` bytes hashing to `expected.sha256`,
   * visible only once it does (ARTIFACT_INVALID otherwise, nothing stored); idempotent.
   */
  putStream(expected: ExpectedBlob, chunks: AsyncIterable<Uint8Array>): Promise<PutResult>;
}
