// UploadArtifact on a real server through the real client: files and directories land in the
// content-addressed store, and a broken or malformed upload leaves nothing behind.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BlobKind } from "../../../proto/index.ts";
import { uploadingWriter } from "../../../runtime/cli/artifact-upload.ts";
import { connectAdmin, type AdminClient } from "../../../runtime/client.ts";
import { LocalArtifactStore } from "../../../runtime/artifacts/index.ts";
import type { RunningServer } from "../../../runtime/index.ts";
import { UPLOAD_LIMITS } from "../../../runtime/config.ts";
import { server, tempDir } from "../harness.ts";

let dir: string;
let running: RunningServer;
let client: AdminClient;
const artifacts = () => join(dir, ".weir", "artifacts");

/** Every file under the artifact root, relative to it. */
function storedFiles(): string[] {
  if (!existsSync(artifacts())) return [];
  return (readdirSync(artifacts(), { recursive: true, withFileTypes: true }) as { isFile(): boolean; name: string; parentPath: string }[])
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(artifacts().length + 1))
    .sort();
}

beforeAll(async () => {
  dir = tempDir();
  running = await server(dir);
  client = connectAdmin(running.address, { deadlineMs: 10_000 });
});

afterAll(async () => {
  client.close();
  await running.stop();
});

describe("UploadArtifact", () => {
  test("a file of several chunks is stored under its sha256, byte for byte", async () => {
    const bytes = new Uint8Array(UPLOAD_LIMITS.chunkBytes * 2 + 123).map((_, i) => (i * 7) % 251);
    const source = join(dir, "model.bin");
    writeFileSync(source, bytes);
    const stored = await uploadingWriter(client).put(source);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    expect(stored).toMatchObject({ sha256, size: bytes.byteLength });
    const store = new LocalArtifactStore(artifacts());
    expect(Buffer.from(await store.read(stored.uri)).equals(Buffer.from(bytes))).toBe(true);
    expect(storedFiles().some((f) => f.startsWith("uploads"))).toBe(false);
  });

  test("a directory is stored as the runtime's own store would store it", async () => {
    const source = join(dir, "shards");
    mkdirSync(join(source, "nested"), { recursive: true });
    writeFileSync(join(source, "a.txt"), "alpha\n");
    writeFileSync(join(source, "nested", "b.txt"), "beta\n");
    writeFileSync(join(source, "empty"), "");
    const uploaded = await uploadingWriter(client).putDir(source);
    const local = await new LocalArtifactStore(join(tempDir(), "store")).putDir(source);
    expect(uploaded.sha256).toBe(local.sha256);
    const materialised = await new LocalArtifactStore(artifacts()).dirPath(uploaded.uri);
    expect(readFileSync(join(materialised, "nested", "b.txt"), "utf8")).toBe("beta\n");
    expect(readFileSync(join(materialised, "empty"), "utf8")).toBe("");
  });

  test("an upload whose source fails midway stores nothing", async () => {
    const before = storedFiles();
    async function* broken() {
      yield { kind: BlobKind.FILE, data: new TextEncoder().encode("half of a file that never ends") };
      await new Promise((r) => setTimeout(r, 100));
      throw new Error("disk read failed");
    }
    await expect(client.uploadArtifact(broken())).rejects.toThrow("disk read failed");
    // The server sees the cancellation and removes its staging file.
    await new Promise((r) => setTimeout(r, 300));
    expect(storedFiles()).toEqual(before);
  });

  test("malformed uploads are refused and leave nothing: no kind, a path sent twice, a path escaping the directory", async () => {
    const before = storedFiles();
    const data = new TextEncoder().encode("x");
    await expect(client.uploadArtifact([{ data }])).rejects.toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringContaining("must name the kind") });
    await expect(client.uploadArtifact([{ kind: BlobKind.DIRECTORY }, { path: "a", data }, { path: "b", data }, { path: "a", data }])).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
      message: expect.stringContaining("'a' was sent twice"),
    });
    await expect(client.uploadArtifact([{ kind: BlobKind.DIRECTORY }, { path: "../escape", data }])).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
      message: expect.stringContaining("not a relative"),
    });
    expect(storedFiles()).toEqual(before);
  });
});
