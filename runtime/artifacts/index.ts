// The artifact store: content-addressed files (sha256) that literals refer to by URI.
export { ArtifactError, LocalArtifactStore } from "./local-store.ts";
export type { ArtifactReader, ArtifactWriter, StoredArtifact } from "../../sdk/literals.ts";
