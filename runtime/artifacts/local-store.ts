// The local, content-addressed artifact store: `<root>/sha256/ab/abcdef…`, written atomically
// (temp file + rename), addressed by absolute `file://` URIs. Directories are stored file by file
// plus a JSON manifest, and materialised under `<root>/dirs/<sha>/` when read. Refs and manifests
// may come from a client: every path read resolves inside the store (resolve-inside.ts).
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile, link, mkdir, readFile, readdir, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ArtifactReader, ArtifactWriter, StoredArtifact } from "../../sdk/values.ts";
import { PathOutsideRoot, isStrictlyInside, realpathInside, realpathInsideSync, resolveInside } from "./resolve-inside.ts";

/** An artifact-store failure: a code plus a message saying what was wrong and what to do. */
export class ArtifactError extends Error {
  readonly code: "ARTIFACT_MISSING" | "ARTIFACT_OUTSIDE_STORE" | "ARTIFACT_SOURCE_MISSING" | "ARTIFACT_INVALID";
  constructor(code: ArtifactError["code"], message: string) {
    super(message);
    this.name = "ArtifactError";
    this.code = code;
  }
}

interface DirManifest {
  weirDirManifest: 1;
  files: { path: string; sha256: string; size: number }[];
}

const SHA256 = /^[0-9a-f]{64}$/;

export class LocalArtifactStore implements ArtifactWriter, ArtifactReader {
  readonly root: string;
  /** Where blobs live; every ref read must name a file below it. */
  private readonly blobs: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.blobs = join(this.root, "sha256");
  }

  /** The path a blob with this hash lives at. */
  pathForHash(sha256: string): string {
    if (!SHA256.test(sha256)) throw new ArtifactError("ARTIFACT_INVALID", `'${clip(sha256)}' is not a sha256 (64 lowercase hex digits)`);
    return join(this.root, "sha256", sha256.slice(0, 2), sha256);
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
    const files: DirManifest["files"] = [];
    for (const file of await listFiles(absolute)) {
      const stored = await this.putFile(file);
      files.push({ path: relative(absolute, file).split(sep).join("/"), sha256: stored.sha256, size: stored.size });
    }
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const manifest: DirManifest = { weirDirManifest: 1, files };
    return this.put(new TextEncoder().encode(JSON.stringify(manifest)));
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
    const manifest = parseManifest(await this.read(uri), uri);
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
  private async materialise(uri: string, dir: string, file: DirManifest["files"][number]): Promise<void> {
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

/** A directory manifest, checked for shape; its paths and hashes are checked where they are used. */
function parseManifest(bytes: Uint8Array, uri: string): DirManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    parsed = undefined;
  }
  const m = parsed as Partial<DirManifest> | undefined;
  const ok =
    m?.weirDirManifest === 1 &&
    Array.isArray(m.files) &&
    m.files.every((f) => typeof f === "object" && f !== null && typeof f.path === "string" && typeof f.sha256 === "string");
  if (!ok) throw new ArtifactError("ARTIFACT_INVALID", `directory ref ${clip(uri)} does not name a directory manifest (store it with putDir)`);
  return m as DirManifest;
}

/** Refs may be hostile and huge: quote at most 200 characters of one. */
function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}… (${text.length} characters)` : text;
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
