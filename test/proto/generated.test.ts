// Fails when proto/gen/ is stale: regenerates into a scratch copy and compares byte for byte.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe("generated protobuf code", () => {
  it("is fresh (run `npm run generate` and commit proto/gen when this fails)", () => {
    const scratch = mkdtempSync(join(tmpdir(), "weir-buf-"));
    try {
      cpSync(join(root, "proto"), join(scratch, "proto"), {
        recursive: true,
        filter: (src) => !src.includes(`${join("proto", "gen")}`),
      });
      for (const f of ["buf.yaml", "buf.gen.yaml"]) cpSync(join(root, f), join(scratch, f));
      execFileSync(join(root, "node_modules/.bin/buf"), ["generate"], {
        cwd: scratch,
        env: { ...process.env, PATH: `${join(root, "node_modules/.bin")}:${process.env.PATH}` },
        stdio: "pipe",
      });
      const fresh = join(scratch, "proto/gen");
      const committed = join(root, "proto/gen");
      expect(listFiles(committed)).toEqual(listFiles(fresh));
      for (const file of listFiles(fresh)) {
        expect(readFileSync(join(committed, file), "utf8"), file).toBe(readFileSync(join(fresh, file), "utf8"));
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
