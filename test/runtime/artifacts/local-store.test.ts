// The artifact store as a reader of hostile refs: a blob or dataframe ref must name a file under
// <root>/sha256 (no file:// to anywhere, no .., no symlink out), and a forged directory manifest
// cannot make it read or write outside the store.
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { create } from "@bufbuild/protobuf";
import { beforeEach, describe, expect, it } from "vitest";
import { BlobKind, LiteralSchema, LiteralTypeSchema } from "../../../proto/index.ts";
import { ArtifactError, LocalArtifactStore } from "../../../runtime/artifacts/index.ts";
import { fromLiteral } from "../../../sdk/literals.ts";

let dir: string;
let store: LocalArtifactStore;
let secret: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-store-"));
  store = new LocalArtifactStore(join(dir, "artifacts"));
  secret = join(dir, "secret.txt");
  writeFileSync(secret, "the runtime's secret");
});

async function artifactError(p: Promise<unknown> | (() => unknown)): Promise<ArtifactError> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (err) {
    expect(err).toBeInstanceOf(ArtifactError);
    return err as ArtifactError;
  }
  throw new Error("expected an ArtifactError");
}

describe("LocalArtifactStore confinement", () => {
  it("reads what it stored", async () => {
    const stored = await store.put(new TextEncoder().encode("hello"));
    expect(new TextDecoder().decode(await store.read(stored.uri))).toBe("hello");
    expect(readFileSync(store.path(stored.uri), "utf8")).toBe("hello");
  });

  it("refuses refs outside <root>/sha256: file:// anywhere, .. out of the store, other schemes", async () => {
    const refs = [
      pathToFileURL(secret).href,
      `file://${join(dir, "artifacts")}/sha256/../../secret.txt`,
      `file://${join(dir, "artifacts")}/sha256/%2e%2e/%2e%2e/secret.txt`,
      `file://${join(dir, "artifacts")}/dirs/x`,
      `${join(dir, "artifacts")}/sha256/../../../secret`,
      "https://example.com/secret",
      "file://otherhost/etc/passwd",
    ];
    for (const ref of refs) {
      const read = await artifactError(store.read(ref));
      expect(read.code, ref).toBe("ARTIFACT_OUTSIDE_STORE");
      expect((await artifactError(() => store.path(ref))).code, ref).toBe("ARTIFACT_OUTSIDE_STORE");
      expect(await store.exists(ref)).toBe(false);
    }
  });

  it("refuses a symlink planted in the store that points out of it", async () => {
    const sha = "a".repeat(64);
    mkdirSync(join(dir, "artifacts", "sha256", "aa"), { recursive: true });
    symlinkSync(secret, join(dir, "artifacts", "sha256", "aa", sha));
    const uri = pathToFileURL(join(dir, "artifacts", "sha256", "aa", sha)).href;
    expect((await artifactError(store.read(uri))).code).toBe("ARTIFACT_OUTSIDE_STORE");
    expect((await artifactError(() => store.path(uri))).code).toBe("ARTIFACT_OUTSIDE_STORE");
  });

  it("a blob or dataframe literal naming a file outside the store fails to convert (what a task would be handed)", async () => {
    const blobType = create(LiteralTypeSchema, { type: { case: "blob", value: { kind: BlobKind.FILE } } });
    const blob = create(LiteralSchema, { value: { case: "blob", value: { uri: pathToFileURL(secret).href, kind: BlobKind.FILE } } });
    await expect(fromLiteral(blob, blobType, store, "input 'f'")).rejects.toThrow(/outside the artifact store/);
    const frameType = create(LiteralTypeSchema, { type: { case: "dataframe", value: { format: "arrow", columns: [] } } });
    const frame = create(LiteralSchema, {
      value: { case: "dataframe", value: { uri: `file://${join(dir, "artifacts")}/sha256/../../secret.txt`, schema: { columns: [] } } },
    });
    await expect(fromLiteral(frame, frameType, store, "input 'df'")).rejects.toThrow(/outside the artifact store/);
  });

  it("materialises a stored directory", async () => {
    const src = join(dir, "src");
    mkdirSync(join(src, "sub"), { recursive: true });
    writeFileSync(join(src, "a.txt"), "A");
    writeFileSync(join(src, "sub", "b.txt"), "B");
    const stored = await store.putDir(src);
    const out = await store.dirPath(stored.uri);
    expect(readFileSync(join(out, "sub", "b.txt"), "utf8")).toBe("B");
  });

  it("a forged manifest cannot read a file from outside the store nor write outside its directory", async () => {
    const forged = async (files: unknown) => (await store.put(new TextEncoder().encode(JSON.stringify({ weirDirManifest: 1, files })))).uri;
    const good = await store.put(new TextEncoder().encode("inside"));
    // A "hash" that is a path: would read the secret through pathForHash.
    const byHash = await forged([{ path: "stolen.txt", sha256: "../../../secret.txt", size: 1 }]);
    expect((await artifactError(store.dirPath(byHash))).code).toBe("ARTIFACT_INVALID");
    // A path that climbs out of the materialised directory: would plant a file outside it.
    const planted = join(dir, "artifacts", "planted.txt");
    const byPath = await forged([{ path: "../../planted.txt", sha256: good.sha256, size: 6 }]);
    expect((await artifactError(store.dirPath(byPath))).code).toBe("ARTIFACT_INVALID");
    expect(existsSync(planted)).toBe(false);
    const absolute = await forged([{ path: "/tmp/planted.txt", sha256: good.sha256, size: 6 }]);
    expect((await artifactError(store.dirPath(absolute))).code).toBe("ARTIFACT_INVALID");
    // Not a manifest at all.
    expect((await artifactError(store.dirPath(good.uri))).code).toBe("ARTIFACT_INVALID");
    // A manifest naming a blob the store does not hold.
    const missing = await forged([{ path: "x", sha256: "b".repeat(64), size: 1 }]);
    expect((await artifactError(store.dirPath(missing))).code).toBe("ARTIFACT_MISSING");
  });
});
