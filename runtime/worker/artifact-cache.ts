// A remote worker's local content-addressed cache (`--artifact-cache`, a LocalArtifactStore): the
// inputs it fetched from the runtime and the outputs its tasks wrote. A blob is fetched once: one
// already there is a hit, and attempts that need the same blob meanwhile share one download. What
// arrives is hashed and kept only when it matches (putStream: temp file + rename).
import { ArtifactError, LocalArtifactStore } from "../artifacts/index.ts";
import type { Logger } from "../log.ts";
import type { ArtifactClient } from "./artifact-client.ts";

/** Full downloads of one blob whose bytes did not hash to its name before the fetch gives up. */
const DAMAGED_TRIES = 2;

export class ArtifactCache {
  readonly store: LocalArtifactStore;
  private readonly fetching = new Map<string, Promise<void>>();

  constructor(
    dir: string,
    private readonly client: ArtifactClient,
    private readonly log: Logger,
  ) {
    this.store = new LocalArtifactStore(dir);
  }

  /**
   * Resolves once the blob is in the cache. A download shared with other attempts is not cancelled
   * when this caller's `signal` aborts (they still need it); this caller just stops waiting.
   */
  async ensure(sha256: string, signal?: AbortSignal): Promise<void> {
    if (await this.store.stat(sha256)) return;
    let flight = this.fetching.get(sha256);
    if (!flight) {
      flight = this.fetch(sha256).finally(() => this.fetching.delete(sha256));
      this.fetching.set(sha256, flight);
    }
    await (signal ? abortable(flight, signal) : flight);
  }

  private async fetch(sha256: string): Promise<void> {
    const started = performance.now();
    const stat = await this.client.stat(sha256);
    if (!stat.present)
      throw new ArtifactError("ARTIFACT_MISSING", `blob ${sha256} is not in the runtime's artifact store (it was removed; rerun the task that produced it)`);
    const size = Number(stat.size);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.store.putStream({ sha256, size }, this.client.download(sha256));
        break;
      } catch (err) {
        if (!(err instanceof ArtifactError) || err.code !== "ARTIFACT_INVALID" || attempt >= DAMAGED_TRIES) throw err;
        this.log.warn({ sha256, err: err.message }, "a downloaded artifact did not match its sha256; downloading it again");
      }
    }
    this.log.info({ sha256, bytes: size, ms: Math.round(performance.now() - started) }, "fetched an artifact from the runtime");
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((ok, fail) => {
    const stop = () => fail(signal.reason);
    signal.addEventListener("abort", stop, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", stop);
        ok(v);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", stop);
        fail(err);
      },
    );
  });
}
