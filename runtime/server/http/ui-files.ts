// The web UI's files, served read-only from one folder (ui/'s build: index.html and its hashed
// assets under assets/). A path names a file strictly inside that folder or nothing: `..` however
// it is written (`%2e%2e`, `..%2f`), NUL, or a symlink leading out are refused (404) with the one
// confinement rule (resolveInside, realpathInside). Any other GET is index.html, since the page
// routes on the client, unless it looks like a missing file (it has an extension): 404. Hashed
// assets are cached for a year; index.html is revalidated every time (no-cache, with an ETag).
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join } from "node:path";
import { realpathInside, resolveInside } from "../../artifacts/index.ts";
import type { Logger } from "../../log.ts";

const CONTENT_TYPES: Readonly<Record<string, string>> = Object.freeze({
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".wasm": "application/wasm",
  ".txt": "text/plain; charset=utf-8",
});

export const UI_CACHING = Object.freeze({
  /** esbuild names every asset by its content's hash, so one never changes under its name. */
  hashed: "public, max-age=31536000, immutable",
  /** index.html names the current assets: always asked again (answered 304 when unchanged). */
  revalidate: "no-cache",
});

/** Where the UI's folder is: built (and cached) by ui/'s buildUi, or one given (`uiRoot`, tests). */
export type UiLocator = () => Promise<string>;

export class UiFiles {
  private root: Promise<string> | undefined;

  constructor(
    private readonly locate: UiLocator,
    private readonly log: Logger,
  ) {}

  /** Answers a GET or HEAD of `pathname` (already cut from its query). */
  async serve(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
      res.end(`${req.method} is not allowed here: the UI's files are read with GET\n`);
      return;
    }
    const parts = segments(pathname);
    if (parts === undefined) return notFound(res);
    // A navigation (the page, or one of its client-side routes) looks the folder up again, so a
    // rebuilt UI is picked up; assets come from the folder the page was served from.
    const isFile = parts.length > 0 && extname(parts.at(-1)!) !== "";
    let root: string;
    try {
      root = await this.folder(!isFile);
    } catch (err) {
      this.log.error({ err }, "the web UI could not be built");
      res.writeHead(503, { "content-type": "text/plain; charset=utf-8", "retry-after": "5" });
      res.end(`the web UI could not be built (${(err as Error).message}); see the runtime's log\n`);
      return;
    }
    const file = parts.length ? await this.fileInside(root, parts) : undefined;
    if (file) return send(req, res, file.path, file.size, file.mtimeMs, parts[0] === "assets" ? UI_CACHING.hashed : UI_CACHING.revalidate);
    if (isFile) return notFound(res);
    const index = join(root, "index.html");
    const st = await stat(index).catch(() => undefined);
    if (!st?.isFile()) return notFound(res);
    send(req, res, index, st.size, st.mtimeMs, UI_CACHING.revalidate);
  }

  private folder(again: boolean): Promise<string> {
    if (again || !this.root) {
      const located = this.locate();
      // A failed build is tried again by the next request.
      located.catch(() => (this.root === located ? (this.root = undefined) : undefined));
      this.root = located;
    }
    return this.root;
  }

  /** The regular file `parts` names strictly inside `root` (symlinks followed), or undefined. */
  private async fileInside(root: string, parts: string[]): Promise<{ path: string; size: number; mtimeMs: number } | undefined> {
    try {
      const path = await realpathInside(root, resolveInside(root, ...parts));
      const st = await stat(path);
      return st.isFile() ? { path, size: st.size, mtimeMs: st.mtimeMs } : undefined;
    } catch {
      return undefined; // outside the folder, missing, or unreadable: all the same to a client
    }
  }
}

/** The decoded segments of a path; undefined for one that is malformed or climbs (`..`, `.`, NUL, `\`). */
function segments(pathname: string): string[] | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  const parts = decoded.split("/").filter((p) => p !== "");
  if (parts.some((p) => p === ".." || p === "." || p.includes("\0") || p.includes("\\"))) return undefined;
  return parts;
}

function send(req: IncomingMessage, res: ServerResponse, path: string, size: number, mtimeMs: number, cacheControl: string): void {
  const etag = `W/"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
  const headers = {
    "content-type": CONTENT_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream",
    "cache-control": cacheControl,
    etag,
    "x-content-type-options": "nosniff",
  };
  if (req.headers["if-none-match"] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, "content-length": size });
  if (req.method === "HEAD") return void res.end();
  createReadStream(path)
    .on("error", () => res.destroy())
    .pipe(res);
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
  res.end("not found\n");
}
