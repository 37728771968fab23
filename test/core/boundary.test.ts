// core/ holds the product's rules on the protocol's messages alone: sdk/, compiler/ and runtime/
// import it, so it imports none of them, no gRPC (proto/messages.ts, not proto/index.ts) and only
// the few pure libraries named here.
import { readdirSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { importsOf } from "../architecture/imports.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const ALLOWED_PACKAGES = new Set(["@bufbuild/protobuf", "@bufbuild/protobuf/wkt", "cron-parser", "typescript"]);
const ALLOWED_DIRS = [join(root, "core"), join(root, "proto/gen")];
const ALLOWED_FILES = [join(root, "proto/messages.ts")];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : /\.ts$/.test(name) ? [path] : [];
  });
}

test("core/ imports only itself, proto/ messages, node built-ins and a few pure libraries", () => {
  const violations: string[] = [];
  const files = walk(join(root, "core"));
  for (const file of files) {
    for (const { specifier: spec } of importsOf(file)) {
      const where = `${relative(root, file)} imports ${spec}`;
      if (spec.startsWith(".")) {
        const target = resolve(dirname(file), spec);
        const allowed = ALLOWED_FILES.includes(target) || ALLOWED_DIRS.some((d) => target.startsWith(`${d}/`));
        if (!allowed) violations.push(where);
      } else if (!ALLOWED_PACKAGES.has(spec) && !spec.startsWith("node:") && !builtinModules.includes(spec)) {
        violations.push(where);
      }
    }
  }
  expect(files.length).toBeGreaterThan(10);
  expect(violations).toEqual([]);
});
