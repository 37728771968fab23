// The artifact store: content-addressed blobs (sha256) that literals refer to by URI, behind one
// contract (ArtifactStore; LocalArtifactStore is the local directory), the store id that tells a
// worker whether it shares the runtime's disk, and the confinement rule (resolveInside) every path
// built from an id, a ref or a manifest obeys.
export { ArtifactError, checkSha256 } from "./artifact-error.ts";
export type { ArtifactErrorCode } from "./artifact-error.ts";
export type { ArtifactStore, ExpectedBlob, PutResult } from "./artifact-store.ts";
export { parseDirManifest } from "./dir-manifest.ts";
export type { DirManifest, DirManifestEntry } from "./dir-manifest.ts";
export { LocalArtifactStore } from "./local-store.ts";
export { ensureStoreId, readStoreId } from "./store-id.ts";
export { PathOutsideRoot, isStrictlyInside, realpathInside, resolveInside } from "./resolve-inside.ts";
export type { ArtifactReader, ArtifactWriter, StoredArtifact } from "../../sdk/values.ts";
