// The local, content-addressed artifact store: `<root>/sha256/ab/abcdef…`, written atomically
// (temp file + rename), addressed by absolute `file://` URIs. Directories are stored file by file
// plus a JSON manifest, and materialised under `<root>/dirs/<sha>/` when read.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile, link, mkdir, readFile, readdir, rename, stat, unlink, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ArtifactReader, ArtifactWriter, StoredArtifact } from "../../sdk/literals.ts";

/** An artifact-store failure: a code plus a message saying what was wrong and what to do. */
export class ArtifactError extends Error {
  readonly code: "ARTIFACT_MISSING" | "ARTIFACT_OUTSIDE_STORE" | "ARTIFACT_SOURCE_MISSING";
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

export class LocalArtifactStore implements ArtifactWriter, ArtifactReader {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The path a blob with this hash lives at. */
  pathForHash(sha256: string): string {
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
    const path = this.path(uri);
    try {
      return await readFile(path);
    } catch {
      throw new ArtifactError("ARTIFACT_MISSING", `artifact ${uri} is missing from the store at ${this.root} (it was deleted or written by another machine; rerun the producing task)`);
    }
  }

  path(uri: string): string {
    if (!uri.startsWith("file://")) {
      throw new ArtifactError("ARTIFACT_OUTSIDE_STORE", `artifact URI '${uri}' is not a file:// URI; this store reads local files only`);
    }
    return fileURLToPath(uri);
  }

  async dirPath(uri: string): Promise<string> {
    const manifest = JSON.parse(new TextDecoder().decode(await this.read(uri))) as DirManifest;
    const sha = this.path(uri).split(sep).pop() ?? "";
    const target = join(this.root, "dirs", sha);
    if (await isDirectory(target)) return target;
    const tmp = `${target}.tmp-${randomBytes(6).toString("hex")}`;
    for (const file of manifest.files) {
      const dest = join(tmp, ...file.path.split("/"));
      await mkdir(dirname(dest), { recursive: true });
      // Hard links are free and the blobs never change; copy across devices.
      await link(this.pathForHash(file.sha256), dest).catch(() => copyFile(this.pathForHash(file.sha256), dest));
    }
    await mkdir(tmp, { recursive: true });
    await rename(tmp, target).catch(async (err: NodeJS.ErrnoException) => {
      // Another reader materialised it first: theirs is identical.
      if (!(await isDirectory(target))) throw err;
    });
    return target;
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
