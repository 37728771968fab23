// The ArtifactStore contract on the local directory store: blobs by sha256 only, reads from an
// offset, and putStream storing nothing unless the bytes are exactly what the header promised.
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { ArtifactError, LocalArtifactStore, ensureStoreId, readStoreId, type ArtifactStore } from "../../../runtime/artifacts/index.ts";

let dir: string;
let local: LocalArtifactStore;
let store: ArtifactStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-blobs-"));
  local = new LocalArtifactStore(join(dir, "artifacts"));
  store = local;
});

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const bytesOf = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) % 251);

async function* chunks(...parts: Uint8Array[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield part;
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts);
}

async function refusal(p: Promise<unknown>): Promise<ArtifactError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ArtifactError);
  return err as ArtifactError;
}

/** Files under <root>/sha256, temp files included: what a refused write must not leave. */
function blobFiles(): string[] {
  const root = join(local.root, "sha256");
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
}

describe("ArtifactStore on a local directory", () => {
  it("stats, gets and reads from an offset what it stored, under the URI literals carry", async () => {
    const data = bytesOf(3 * 1024 * 1024 + 5);
    const stored = await store.put(data);
    expect(stored.sha256).toBe(sha(data));
    expect(await store.stat(stored.sha256)).toEqual({ uri: stored.uri, sha256: stored.sha256, size: data.byteLength });
    expect(store.uriFor(stored.sha256)).toBe(stored.uri);
    expect(Buffer.from(await store.get(stored.sha256)).equals(Buffer.from(data))).toBe(true);
    const tail = await collect(await store.openRead(stored.sha256, 1_000_000));
    expect(tail.equals(Buffer.from(data.subarray(1_000_000)))).toBe(true);
    expect((await collect(await store.openRead(stored.sha256, data.byteLength))).byteLength).toBe(0);
  });

  it("says what it lacks and refuses names that are not a sha256", async () => {
    const absent = "0".repeat(64);
    expect(await store.stat(absent)).toBeUndefined();
    expect((await refusal(store.get(absent))).code).toBe("ARTIFACT_MISSING");
    expect((await refusal(store.openRead(absent))).code).toBe("ARTIFACT_MISSING");
    for (const name of ["../../etc/passwd", "ab/../../x", "A".repeat(64), `${absent}/..`, ""]) {
      expect((await refusal(store.stat(name))).code).toBe("ARTIFACT_INVALID");
      expect((await refusal(store.openRead(name))).code).toBe("ARTIFACT_INVALID");
      expect(() => store.uriFor(name)).toThrow(ArtifactError);
    }
    const stored = await store.put(bytesOf(10));
    expect((await refusal(store.openRead(stored.sha256, 11))).code).toBe("ARTIFACT_INVALID");
  });

  it("stores a stream that matches its header, once", async () => {
    const data = bytesOf(100_000);
    const expected = { sha256: sha(data), size: data.byteLength };
    const first = await store.putStream(expected, chunks(data.subarray(0, 4096), data.subarray(4096)));
    expect(first).toMatchObject({ sha256: expected.sha256, size: data.byteLength, created: true });
    expect(Buffer.from(await store.get(expected.sha256)).equals(Buffer.from(data))).toBe(true);
    // Held already: the stream is not even read.
    let read = false;
    const again = await store.putStream(
      expected,
      (async function* () {
        read = true;
        yield data;
      })(),
    );
    expect(again).toMatchObject({ uri: first.uri, created: false });
    expect(read).toBe(false);
  });

  it("stores nothing when the bytes do not hash to the header's sha256, or are more or fewer than it says", async () => {
    const data = bytesOf(5_000);
    const damaged = Uint8Array.from(data);
    damaged[2_500] ^= 1;
    const cases: Array<[string, Uint8Array[]]> = [
      ["hashes to", [damaged]],
      ["more than", [data, Uint8Array.of(1)]],
      ["2500 bytes arrived", [data.subarray(0, 2_500)]],
    ];
    for (const [says, parts] of cases) {
      const err = await refusal(store.putStream({ sha256: sha(data), size: data.byteLength }, chunks(...parts)));
      expect(err.code).toBe("ARTIFACT_INVALID");
      expect(err.message).toContain(says);
      expect(await store.stat(sha(data))).toBeUndefined();
      expect(blobFiles()).toEqual([]);
    }
    const broken = (async function* () {
      yield data.subarray(0, 10);
      throw new Error("the stream broke");
    })();
    await expect(store.putStream({ sha256: sha(data), size: data.byteLength }, broken)).rejects.toThrow("the stream broke");
    expect(blobFiles()).toEqual([]);
  });
});

describe("store id", () => {
  it("is made once per artifact root and read back the same; another root has none", () => {
    const root = join(dir, "artifacts");
    expect(readStoreId(root)).toBeUndefined();
    const id = ensureStoreId(root);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(ensureStoreId(root)).toBe(id);
    expect(readStoreId(root)).toBe(id);
    expect(readStoreId(join(dir, "elsewhere"))).toBeUndefined();
  });
});
