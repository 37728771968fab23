// sdk/ is what user code imports: it must never pull in the runtime, the compiler, grpc or sqlite
// (core/, which it uses, is held to the same by test/core/boundary.test.ts).
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { importsOf } from "../architecture/imports.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const FORBIDDEN_PACKAGES = [/^@grpc\//, /^better-sqlite3$/, /^ts-morph$/];
const FORBIDDEN_DIRS = ["runtime", "compiler"].map((d) => join(root, d));

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : /\.[cm]?tsx?$/.test(name) ? [path] : [];
  });
}

test("sdk/ and its transitive relative imports stay off runtime, compiler, grpc, sqlite and ts-morph", () => {
  const seen = new Set<string>();
  const queue = walk(join(root, "sdk"));
  const violations: string[] = [];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const { specifier: spec } of importsOf(file)) {
      const where = `${relative(root, file)} imports ${spec}`;
      if (spec.startsWith(".")) {
        const target = resolve(dirname(file), spec);
        if (FORBIDDEN_DIRS.some((d) => target === d || target.startsWith(`${d}/`))) violations.push(where);
        else queue.push(target);
      } else if (FORBIDDEN_PACKAGES.some((p) => p.test(spec))) violations.push(where);
    }
  }
  expect(seen.size).toBeGreaterThan(3);
  expect(violations).toEqual([]);
});

test("`weir` is the authoring API; value plumbing is `weir/values`", async () => {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { exports: Record<string, string | { default: string }> };
  // What node and tsx load: an entry's "default" condition ("types" is types/, test/types/ checks it).
  const runtime = Object.entries(pkg.exports).map(([entry, target]) => [entry, typeof target === "string" ? target : target.default] as const);
  // Other entries (the editor plugin, `weir/ts-plugin`) are fine; none of them may reach into sdk/.
  const sdkEntries = Object.fromEntries(runtime.filter(([, target]) => target.startsWith("./sdk/")));
  expect(sdkEntries).toEqual({ ".": "./sdk/index.ts", "./values": "./sdk/values.ts" });
  const authoring = await import("../../sdk/index.ts");
  const values = await import("../../sdk/values.ts");
  const plumbing = [
    "toLiteral",
    "fromLiteral",
    "hashLiteral",
    "rehashLiteral",
    "validateLiteral",
    "validateTable",
    "validateValue",
    "parseInputValue",
    "csvToTable",
    "LiteralError",
  ];
  expect(plumbing.filter((name) => name in authoring)).toEqual([]);
  expect(plumbing.filter((name) => !(name in values))).toEqual([]);
  expect(["task", "workflow", "map", "when", "sensor", "t", "df", "parseDuration"].filter((name) => !(name in authoring))).toEqual([]);
});
