// Runs a long-lived weir process (`weir server`) from one JavaScript bundle instead of through tsx.
// tsx's loader runs in its own hooks thread (a second V8 isolate, ~35 MB) and keeps every
// transpiled source; a bundle built by esbuild (the compiler tsx itself uses) needs neither, which
// keeps the runtime's memory in budget. The bundle is rebuilt whenever a source it was built from
// changes (their paths, sizes and mtimes are its cache key), so it is never stale.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The bundle's file for `entry` (relative to `root`, weir's package root by default), built into
 * `<root>/node_modules/.cache/weir/` if missing or stale.
 */
export async function bundled(entry, root = PACKAGE_ROOT) {
  const cache = join(root, "node_modules", ".cache", "weir");
  const name = entry.replace(/[^A-Za-z0-9]+/g, "-");
  const inputsFile = join(cache, `${name}.inputs.json`);
  const known = readInputs(inputsFile);
  const key = known && fingerprint(root, known);
  if (key) {
    const file = join(cache, `${name}-${key}.mjs`);
    if (exists(file)) return file;
  }
  return build({ root, cache, entry, name, inputsFile });
}

async function build({ root, cache, entry, name, inputsFile }) {
  const esbuild = await import("esbuild");
  try {
    const result = await esbuild.build({
      entryPoints: [join(root, entry)],
      absWorkingDir: root,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      // Dependencies stay in node_modules (native addons, protobuf descriptors, grpc-js).
      packages: "external",
      write: false,
      metafile: true,
      logLevel: "silent",
      plugins: [keepImportMetaUrl],
    });
    const inputs = Object.keys(result.metafile.inputs).map((p) => relative(root, resolve(root, p)));
    const key = fingerprint(root, inputs);
    if (!key) throw new Error("a source was removed while it was bundled");
    mkdirSync(cache, { recursive: true });
    const file = join(cache, `${name}-${key}.mjs`);
    atomicWrite(file, result.outputFiles[0].text);
    atomicWrite(inputsFile, JSON.stringify(inputs));
    prune(cache, name, file);
    return file;
  } finally {
    await esbuild.stop();
  }
}

// A bundled module's `import.meta.url` would be the bundle's; each module keeps its own, so
// `new URL("./thread.mjs", import.meta.url)` still finds files beside its source.
const keepImportMetaUrl = {
  name: "keep-import-meta-url",
  setup(b) {
    b.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
      const text = readFileSync(args.path, "utf8");
      if (!text.includes("import.meta.url")) return undefined;
      const loader = args.path.endsWith("ts") ? "ts" : "js";
      return { contents: text.replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href)), loader };
    });
  },
};

/** Hash of each input's path, size and mtime; undefined when one is gone. */
function fingerprint(root, inputs) {
  const h = createHash("sha256");
  for (const p of inputs) {
    let st;
    try {
      st = statSync(join(root, p));
    } catch {
      return undefined;
    }
    h.update(`${p}\0${st.size}\0${st.mtimeMs}\n`);
  }
  return h.digest("hex").slice(0, 16);
}

function readInputs(file) {
  try {
    const v = JSON.parse(readFileSync(file, "utf8"));
    return Array.isArray(v) && v.every((p) => typeof p === "string") ? v : undefined;
  } catch {
    return undefined;
  }
}

function exists(file) {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Readers never see a half-written file: write beside it, then rename over it. */
function atomicWrite(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** Older bundles of the same entry, left a minute so a process that just chose one can load it. */
function prune(cache, name, keep) {
  const before = Date.now() - 60_000;
  for (const f of readdirSync(cache)) {
    const path = join(cache, f);
    if (path === keep || !f.startsWith(`${name}-`) || !f.endsWith(".mjs")) continue;
    try {
      if (statSync(path).mtimeMs < before) rmSync(path, { force: true });
    } catch {
      // another process pruned it first
    }
  }
}
