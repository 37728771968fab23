// bin/bundle.mjs: `weir server` runs from an esbuild bundle, which must never be stale and must
// keep each module's own import.meta.url (the SQLite writer thread is found beside its source).
import { mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { bundled } from "../../bin/bundle.mjs";

function project(): string {
  const root = mkdtempSync(join(tmpdir(), "weir-bundle-"));
  mkdirSync(join(root, "lib"));
  writeFileSync(join(root, "main.ts"), `import { value } from "./lib/value.ts";\nexport const main = (): string => value;\n`);
  writeFileSync(join(root, "lib", "value.ts"), `export const value: string = "one";\nexport const here = new URL("./x.txt", import.meta.url).href;\n`);
  return root;
}

const load = async (file: string) => (await import(`${pathToFileURL(file).href}?t=${Date.now()}`)) as { main(): string };

describe("bundled", () => {
  it("reuses the bundle while its sources are unchanged and rebuilds when one changes", async () => {
    const root = project();
    const first = await bundled("main.ts", root);
    expect((await load(first)).main()).toBe("one");
    expect(await bundled("main.ts", root)).toBe(first);

    writeFileSync(join(root, "lib", "value.ts"), `export const value: string = "two";\n`);
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(root, "lib", "value.ts"), later, later);
    const second = await bundled("main.ts", root);
    expect(second).not.toBe(first);
    expect((await load(second)).main()).toBe("two");
  });

  it("keeps each module's import.meta.url", async () => {
    const root = project();
    writeFileSync(join(root, "main.ts"), `export { here as main } from "./lib/value.ts";\n`);
    const file = await bundled("main.ts", root);
    const { main } = (await load(file)) as unknown as { main: string };
    expect(main).toBe(pathToFileURL(join(root, "lib", "x.txt")).href);
    expect(readdirSync(join(root, "node_modules", ".cache", "weir")).filter((f) => f.endsWith(".mjs"))).toHaveLength(1);
  });
});
