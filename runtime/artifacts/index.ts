// The artifact store: content-addressed files (sha256) that literals refer to by URI; and the
// confinement rule (resolveInside) every path built from an id, a ref or a manifest obeys.
export { ArtifactError, LocalArtifactStore } from "./local-store.ts";
export { PathOutsideRoot, isStrictlyInside, realpathInside, resolveInside } from "./resolve-inside.ts";
export type { ArtifactReader, ArtifactWriter, StoredArtifact } from "../../sdk/values.ts";
