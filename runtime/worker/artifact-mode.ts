// Whether this worker reads the runtime's artifact store from disk or through ArtifactService. A path
// alone cannot tell (two hosts may both have `/srv/weir/artifacts`): the runtime writes a random
// store id into its artifact root and sends it in Registered, and only a worker that reads the same
// id at that path shares the disk.
import { resolve } from "node:path";
import type { Registered } from "../../proto/index.ts";
import { readStoreId } from "../artifacts/index.ts";
import type { ArtifactsFlag } from "./defaults.ts";

export interface ArtifactMode {
  readonly mode: "shared" | "remote";
  /** Why, for the log line that says which. */
  readonly reason: string;
}

export function artifactMode(flag: ArtifactsFlag, registered: Pick<Registered, "artifactRoot" | "storeId">): ArtifactMode {
  if (flag === "shared") return { mode: "shared", reason: "--artifacts shared" };
  if (flag === "remote") return { mode: "remote", reason: "--artifacts remote" };
  // A runtime that sends no id serves no ArtifactService: the shared disk is all there is.
  if (!registered.storeId) return { mode: "shared", reason: "the runtime sent no store id (it predates ArtifactService)" };
  const root = resolve(registered.artifactRoot);
  const found = readStoreId(root);
  if (found === registered.storeId) return { mode: "shared", reason: `the runtime's store id is in ${root}: this host shares its disk` };
  return {
    mode: "remote",
    reason: found ? `${root} holds another store's id: not the runtime's disk` : `the runtime's store id is not in ${root}: not the runtime's disk`,
  };
}
