// Builds the web UI (ui/app) with esbuild into a folder holding index.html and content-hashed
// assets, cached under node_modules/.cache/weir/ui/<key>/ and rebuilt when a file it was built from
// changes: nothing is downloaded or built at run time but this, once. Run directly
// (`node --import tsx ui/build.ts`) it builds, or finds, the folder and prints where it is.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export interface UiBuildOptions {
  /** weir's package root (where ui/, proto/ and package-lock.json are). */
  root: string;
  /** Where built folders are kept; `<root>/node_modules/.cache/weir/ui` by default. */
  cacheDir: string;
}

export const UI_BUILD_DEFAULTS = Object.freeze({
  entry: "ui/app/main.tsx",
  /** Files outside esbuild's inputs that change what a build gives: its own options, the dependencies' versions. */
  alsoKeyedOn: Object.freeze(["ui/build.ts", "package-lock.json"]),
  /** Older builds are removed after this long, so a server that just chose one can still serve it. */
  keepOldMs: 60_000,
});

/** Builds in flight in this process, by cache folder: concurrent callers share one build. */
const inFlight = new Map<string, Promise<string>>();

/** The absolute path of a folder holding the UI's index.html and its assets, built if missing or stale. */
export function buildUi(options: Partial<UiBuildOptions> = {}): Promise<string> {
  const root = options.root ?? PACKAGE_ROOT;
  const cache = options.cacheDir ?? join(root, "node_modules", ".cache", "weir", "ui");
  const known = readInputs(join(cache, "inputs.json"));
  const key = known && fingerprint(root, known);
  if (key && isBuilt(join(cache, key))) return Promise.resolve(join(cache, key));
  let pending = inFlight.get(cache);
  if (!pending) {
    pending = build(root, cache).finally(() => inFlight.delete(cache));
    inFlight.set(cache, pending);
  }
  return pending;
}

async function build(root: string, cache: string): Promise<string> {
  const esbuild = await import("esbuild");
  mkdirSync(cache, { recursive: true });
  // Built beside its final place and renamed there whole: another process building at the same
  // time either wins the rename or finds the folder complete, never half-written.
  const tmp = mkdtempSync(join(cache, ".build-"));
  try {
    const result = await esbuild.build({
      entryPoints: [join(root, UI_BUILD_DEFAULTS.entry)],
      absWorkingDir: root,
      outdir: join(tmp, "assets"),
      bundle: true,
      // Chunks load on first use: the graph layout engine (elkjs, ~1.5 MB) only where a graph is drawn.
      splitting: true,
      format: "esm",
      platform: "browser",
      target: ["chrome111", "firefox115", "safari16"],
      jsx: "automatic",
      minify: true,
      sourcemap: false,
      legalComments: "none",
      entryNames: "[name]-[hash]",
      chunkNames: "chunk-[hash]",
      assetNames: "[name]-[hash]",
      define: { "process.env.NODE_ENV": '"production"' },
      // The SDK's csvToTable (a dataframe uploaded from the run form) uses csv-parse's Node build,
      // which needs Node's Buffer; csv-parse ships a browser build of the same parser for this.
      alias: { "csv-parse/sync": "csv-parse/browser/esm/sync" },
      metafile: true,
      logLevel: "silent",
    });
    const outputs = Object.entries(result.metafile.outputs);
    const [js, entry] = outputs.find(([, o]) => o.entryPoint !== undefined) ?? [];
    if (!js || !entry) throw new Error("esbuild wrote no entry point for the UI");
    const asset = (file: string) => `/assets/${relative(join(tmp, "assets"), resolve(root, file)).split("\\").join("/")}`;
    writeFileSync(join(tmp, "index.html"), indexHtml(asset(js), entry.cssBundle ? asset(entry.cssBundle) : undefined));

    // Dependencies are keyed by package-lock.json; "(disabled):fs" and the like are no files.
    const inputs = Object.keys(result.metafile.inputs)
      .filter((p) => !p.split("/").includes("node_modules") && !/^[(<]/.test(p))
      .map((p) => relative(root, resolve(root, p)));
    const key = fingerprint(root, inputs);
    if (!key) throw new Error("a UI source was removed while it was built");
    const final = join(cache, key);
    try {
      renameSync(tmp, final);
    } catch (err) {
      // Another process renamed the same build into place first.
      if (!isBuilt(final)) throw err;
    }
    atomicWrite(join(cache, "inputs.json"), JSON.stringify(inputs));
    prune(cache, final);
    return final;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    await esbuild.stop();
  }
}

function indexHtml(script: string, style: string | undefined): string {
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    "<title>weir</title>",
    // No favicon request to answer with a 404.
    '<link rel="icon" href="data:,">',
    style ? `<link rel="stylesheet" href="${style}">` : "",
    `<script type="module" src="${script}"></script>`,
    "</head>",
    '<body><div id="root"></div></body>',
    "</html>",
    "",
  ]
    .filter((line) => line !== "")
    .join("\n");
}

/** Each file's content hash as last read, by path: a file whose size and mtime are unchanged is not read again. */
const contentHashes = new Map<string, { size: number; mtimeMs: number; sha256: string }>();

/**
 * sha256 over the inputs' contents (and the files every build depends on); undefined when one is
 * gone. Contents, not times: a checkout or a copy that touches every file keeps its build.
 */
function fingerprint(root: string, inputs: readonly string[]): string | undefined {
  const h = createHash("sha256");
  for (const p of [...new Set([...inputs, ...UI_BUILD_DEFAULTS.alsoKeyedOn])].sort()) {
    const path = join(root, p);
    let known = contentHashes.get(path);
    try {
      const st = statSync(path);
      if (!known || known.size !== st.size || known.mtimeMs !== st.mtimeMs) {
        known = { size: st.size, mtimeMs: st.mtimeMs, sha256: createHash("sha256").update(readFileSync(path)).digest("hex") };
        contentHashes.set(path, known);
      }
    } catch {
      return undefined;
    }
    h.update(`${p}\0${known.sha256}\n`);
  }
  return h.digest("hex").slice(0, 16);
}

function readInputs(file: string): string[] | undefined {
  try {
    const v: unknown = JSON.parse(readFileSync(file, "utf8"));
    return Array.isArray(v) && v.every((p) => typeof p === "string") ? v : undefined;
  } catch {
    return undefined;
  }
}

function isBuilt(dir: string): boolean {
  try {
    return statSync(join(dir, "index.html")).isFile();
  } catch {
    return false;
  }
}

function atomicWrite(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** Earlier builds (and temp folders of builds that died) older than keepOldMs. */
function prune(cache: string, keep: string): void {
  const before = Date.now() - UI_BUILD_DEFAULTS.keepOldMs;
  for (const name of readdirSync(cache)) {
    const path = join(cache, name);
    if (path === keep || name === "inputs.json") continue;
    try {
      if (statSync(path).mtimeMs < before) rmSync(path, { recursive: true, force: true });
    } catch {
      // another process pruned it first
    }
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const dir = await buildUi();
  process.stdout.write(`${dir} (${Math.round(performance.now() - started)} ms)\n`);
}
