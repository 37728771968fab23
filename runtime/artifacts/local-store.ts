// The local, content-addressed artifact store: `<root>/sha256/ab/abcdef…`, written atomically
// (temp file + rename), addressed by absolute `file://` URIs. Directories are stored file by file
// plus a JSON manifest, and materialised under `<root>/dirs/<sha>/` when read. Refs and manifests
// may come from a client: every path read resolves inside the store (resolve-inside.ts). It is the
// runtime's ArtifactStore and the worker's local cache of a remote one.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile, link, mkdir, open, readFile, readdir, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ArtifactReader, ArtifactWriter, StoredArtifact } from "../../sdk/values.ts";
import { ArtifactError, SHA256, checkSha256, clip } from "./artifact-error.ts";
import type { ArtifactStore, ExpectedBlob, PutResult } from "./artifact-store.ts";
import { encodeDirManifest, parseDirManifest, type DirManifestEntry } from "./dir-manifest.ts";
import { PathOutsideRoot, isStrictlyInside, realpathInside, realpathInsideSync, resolveInside } from "./resolve-inside.ts";

/** Bytes per chunk of openRead: what ArtifactService sends per message. */
const READ_CHUNK_BYTES = 1024 * 1024;

export class LocalArtifactStore implements ArtifactStore, ArtifactWriter, ArtifactReader {
  readonly root: string;
  /** Where blobs live; every ref read must name a file below it. */
  private readonly blobs: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.blobs = join(this.root, "sha256");
  }

  /** The path a blob with this hash lives at. */
  pathForHash(sha256: string): string {
    checkSha256(sha256);
    return join(this.root, "sha256", sha256.slice(0, 2), sha256);
  }

  uriFor(sha256: string): string {
    return pathToFileURL(this.pathForHash(sha256)).href;
  }

  async stat(sha256: string): Promise<StoredArtifact | undefined> {
    const path = await this.checked(this.pathForHash(sha256));
    const info = await stat(path).catch(() => undefined);
    return info?.isFile() ? { uri: pathToFileURL(path).href, sha256, size: info.size } : undefined;
  }

  async get(sha256: string): Promise<Uint8Array> {
    return this.read(this.uriFor(sha256));
  }

  async openRead(sha256: string, offset = 0): Promise<AsyncIterable<Uint8Array> & { destroy(): void }> {
    const path = await this.checked(this.pathForHash(sha256));
    // Opened first: a missing blob is an error here, not an 'error' event mid-stream.
    const file = await open(path, "r").catch(() => {
      throw missing(sha256, this.root);
    });
    const size = (await file.stat()).size;
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > size) {
      await file.close();
      throw new ArtifactError("ARTIFACT_INVALID", `offset ${offset} is outside blob ${sha256} (${size} bytes); ask for 0 to ${size}`);
    }
    return file.createReadStream({ start: offset, highWaterMark: READ_CHUNK_BYTES });
  }

  async putStream(expected: ExpectedBlob, chunks: AsyncIterable<Uint8Array>): Promise<PutResult> {
    const { sha256, size } = expected;
    const target = this.pathForHash(sha256);
    if (!Number.isSafeInteger(size) || size < 0) throw new ArtifactError("ARTIFACT_INVALID", `blob ${sha256}: ${size} is not a size in bytes`);
    if (await isFile(target)) return { uri: pathToFileURL(target).href, sha256, size, created: false };
    await this.atomically(target, async (tmp) => {
      const hash = createHash("sha256");
      let received = 0;
      const file = await open(tmp, "wx");
      try {
        for await (const chunk of chunks) {
          received += chunk.byteLength;
          // Checked before writing: a sender cannot fill the disk past what it declared.
          if (received > size) throw new ArtifactError("ARTIFACT_INVALID", `blob ${sha256}: more than the ${size} bytes declared arrived; nothing was stored`);
          hash.update(chunk);
          await file.write(chunk);
        }
        await file.sync();
      } finally {
        await file.close();
      }
      if (received !== size)
        throw new ArtifactError("ARTIFACT_INVALID", `blob ${sha256}: ${received} bytes arrived where ${size} were declared; nothing was stored`);
      const actual = hash.digest("hex");
      if (actual !== sha256)
        throw new ArtifactError(
          "ARTIFACT_INVALID",
          `blob declared as sha256 ${sha256} hashes to ${actual}; nothing was stored (the bytes were damaged or the hash is wrong)`,
        );
    });
    return { uri: pathToFileURL(target).href, sha256, size, created: true };
  }

  async put(source: Uint8Array | string): Promise<StoredArtifact> {
    if (typeof source === "string") return this.putFile(source);
    const sha256 = createHash("sha256").update(source).digest("hex");
    const target = this.pathForHash(sha256);
    if (!(await isFile(target))) await this.atomically(target, (tmp) => writeFile(tmp, source));
    return { uri: pathToFileURL(target).href, sha256, size: source.byteLength };
  }

  private async putFile(filePath: string): Promise<StoredArtifact> {
    const absolute = resolve(filePath);
    const info = await stat(absolute).catch(() => undefined);
    if (!info?.isFile()) {
      throw new ArtifactError("ARTIFACT_SOURCE_MISSING", `cannot store '${absolute}': it is not a readable file (check the path the task returned)`);
    }
    const sha256 = await hashFile(absolute);
    const target = this.pathForHash(sha256);
    if (!(await isFile(target))) await this.atomically(target, (tmp) => copyFile(absolute, tmp));
    return { uri: pathToFileURL(target).href, sha256, size: info.size };
  }

  async putDir(dirPath: string): Promise<StoredArtifact> {
    const absolute = resolve(dirPath);
    const info = await stat(absolute).catch(() => undefined);
    if (!info?.isDirectory()) {
      throw new ArtifactError("ARTIFACT_SOURCE_MISSING", `cannot store directory '${absolute}': it does not exist or is not a directory`);
    }
    const files: DirManifestEntry[] = [];
    for (const file of await listFiles(absolute)) {
      const stored = await this.putFile(file);
      files.push({ path: relative(absolute, file).split(sep).join("/"), sha256: stored.sha256, size: stored.size });
    }
    return this.put(encodeDirManifest(files));
  }

  async read(uri: string): Promise<Uint8Array> {
    const path = await this.checked(this.lexicalPath(uri));
    try {
      return await readFile(path);
    } catch {
      throw new ArtifactError(
        "ARTIFACT_MISSING",
        `artifact ${clip(uri)} is missing from the store at ${this.root} (it was deleted or written by another machine; rerun the producing task)`,
      );
    }
  }

  /**
   * The local path of a stored blob. Only a `file://` URI naming a file under `<root>/sha256/` is
   * one, symlinks followed: a ref to anywhere else (`file:///etc/passwd`, `…/sha256/../../x`) is
   * refused with ARTIFACT_OUTSIDE_STORE, so no ref can hand a task a file from outside the store.
   */
  path(uri: string): string {
    const path = this.lexicalPath(uri);
    try {
      return realpathInsideSync(this.blobs, path);
    } catch (err) {
      if (err instanceof PathOutsideRoot) throw outside(uri, this.blobs);
      throw err;
    }
  }

  /** The path a URI names, refused unless it lies under `<root>/sha256/` (symlinks not yet followed). */
  private lexicalPath(uri: string): string {
    let path: string;
    try {
      if (!uri.startsWith("file://")) throw new Error("not a file:// URI");
      path = resolve(fileURLToPath(uri));
    } catch {
      throw new ArtifactError(
        "ARTIFACT_OUTSIDE_STORE",
        `artifact URI '${clip(uri)}' is not a local file:// URI; this store reads only its own files under ${this.blobs}`,
      );
    }
    if (!isStrictlyInside(this.blobs, path)) throw outside(uri, this.blobs);
    return path;
  }

  /**
   * A directory's files, materialised under `<root>/dirs/<sha>/` from its manifest. The manifest is
   * data a client may have forged: each entry must name a stored blob by its sha256 and a relative
   * path that stays inside the directory, or the read fails with ARTIFACT_INVALID.
   */
  async dirPath(uri: string): Promise<string> {
    const sha = this.lexicalPath(uri).split(sep).pop() ?? "";
    if (!SHA256.test(sha))
      throw new ArtifactError("ARTIFACT_INVALID", `directory ref ${clip(uri)} does not name a stored manifest (its file name is not a sha256)`);
    const manifest = parseDirManifest(await this.read(uri), uri);
    const target = join(this.root, "dirs", sha);
    if (await isDirectory(target)) return target;
    const tmp = `${target}.tmp-${randomBytes(6).toString("hex")}`;
    await mkdir(tmp, { recursive: true });
    try {
      for (const file of manifest.files) await this.materialise(uri, tmp, file);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
    await rename(tmp, target).catch(async (err: NodeJS.ErrnoException) => {
      // Another reader materialised it first: theirs is identical.
      if (!(await isDirectory(target))) throw err;
    });
    return target;
  }

  /** Links (or copies) one file of a directory manifest into `dir`, which it must not leave. */
  private async materialise(uri: string, dir: string, file: DirManifestEntry): Promise<void> {
    // putDir writes plain relative paths: an empty, "." or ".." segment (or a leading "/") is forged.
    const parts = file.path.split("/");
    let dest: string;
    try {
      if (parts.some((p) => p === "" || p === "." || p === "..")) throw new Error("not a plain relative path");
      dest = resolveInside(dir, ...parts);
    } catch {
      throw new ArtifactError("ARTIFACT_INVALID", `directory ref ${clip(uri)}: its manifest names '${clip(file.path)}', which leads outside the directory`);
    }
    const source = await this.checked(this.pathForHash(file.sha256));
    await mkdir(dirname(dest), { recursive: true });
    // Hard links are free and the blobs never change; copy across devices.
    await link(source, dest)
      .catch(() => copyFile(source, dest))
      .catch(() => {
        throw new ArtifactError(
          "ARTIFACT_MISSING",
          `directory ref ${clip(uri)}: its file '${clip(file.path)}' (sha256 ${file.sha256}) is missing from the store at ${this.root}`,
        );
      });
  }

  /** A blob path with its symlinks followed, refused when they lead out of `<root>/sha256`. */
  private async checked(path: string): Promise<string> {
    try {
      return await realpathInside(this.blobs, path);
    } catch (err) {
      if (err instanceof PathOutsideRoot) throw outside(path, this.blobs);
      throw err;
    }
  }

  async exists(uri: string): Promise<boolean> {
    try {
      return await isFile(this.path(uri));
    } catch {
      return false;
    }
  }

  private async atomically(target: string, write: (tmp: string) => Promise<void>): Promise<void> {
    await mkdir(dirname(target), { recursive: true });
    const tmp = `${target}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`;
    try {
      await write(tmp);
      await rename(tmp, target);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }
}

function outside(ref: string, blobs: string): ArtifactError {
  return new ArtifactError("ARTIFACT_OUTSIDE_STORE", `artifact ${clip(ref)} is outside the artifact store (${blobs}); a ref must name a blob this store wrote`);
}

function missing(sha256: string, root: string): ArtifactError {
  return new ArtifactError("ARTIFACT_MISSING", `blob ${sha256} is not in the artifact store at ${root}`);
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}
