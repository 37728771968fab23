// resolveInside: ids and names joined under a root never lead out of it (.., absolute parts, NUL).
import { mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PathOutsideRoot, realpathInside, resolveInside } from "../../../runtime/artifacts/index.ts";

const root = "/srv/project/.weir/work";

function refused(fn: () => unknown): PathOutsideRoot {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PathOutsideRoot);
    return err as PathOutsideRoot;
  }
  throw new Error("expected PathOutsideRoot");
}

describe("resolveInside", () => {
  it("joins parts that stay inside", () => {
    expect(resolveInside(root, "ex-1", "work[3]", "1")).toBe(`${root}/ex-1/work[3]/1`);
    expect(resolveInside(root, "a/../b", "1")).toBe(`${root}/b/1`);
    expect(resolveInside(root, "..weird..", "1")).toBe(`${root}/..weird../1`);
  });

  it("refuses .., absolute parts, NUL bytes and the root itself, with code PATH_OUTSIDE_ROOT", () => {
    for (const parts of [["../../../x", "n", "1"], ["ex", "../../..", "1"], ["/etc", "passwd"], ["ex", "n\0", "1"], ["."], ["ex/..", "."]]) {
      const err = refused(() => resolveInside(root, ...parts));
      expect(err.code).toBe("PATH_OUTSIDE_ROOT");
      expect(err.message).toContain(root);
    }
  });

  it("quotes at most 200 characters of a huge id", () => {
    const err = refused(() => resolveInside(root, `../${"x".repeat(100_000)}`));
    expect(err.message.length).toBeLessThan(500);
  });

  it("follows symlinks when asked: a link inside the root that points out is refused", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weir-inside-"));
    mkdirSync(join(dir, "root"));
    mkdirSync(join(dir, "elsewhere"));
    symlinkSync(join(dir, "elsewhere"), join(dir, "root", "link"));
    await expect(realpathInside(join(dir, "root"), join(dir, "root", "link", "secret"))).resolves.toBe(join(dir, "root", "link", "secret"));
    await expect(realpathInside(join(dir, "root"), join(dir, "root", "link"))).rejects.toBeInstanceOf(PathOutsideRoot);
  });
});
