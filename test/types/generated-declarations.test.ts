// types/ is what user projects type-check `weir` against: it must be exactly what the generator
// writes from sdk/ today, stay light (no core/index.ts, protobuf or cron types behind it), and be
// where the package's "types" condition points, while node and tsx still run the sources.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { isSdkFile } from "../../compiler/sdk-calls.ts";
import { currentDeclarations, sdkDeclarations, staleDeclarations } from "../../bench/types/generate-declarations.ts";

const root = join(import.meta.dirname, "../..");
// What the public face may import besides its own files: the two libraries its types are built on.
const ALLOWED_PACKAGES = ["apache-arrow", "zod"];

let generated: Map<string, string>;

beforeAll(() => {
  generated = sdkDeclarations();
});

describe("types/", () => {
  it("is what bench/types/generate-declarations.ts writes from sdk/ (run npm run generate:types when this fails)", () => {
    expect(staleDeclarations(generated, currentDeclarations())).toEqual([]);
  });

  it("reaches only its own files, apache-arrow and zod", () => {
    const imports = [...generated].flatMap(([rel, text]) => ts.preProcessFile(text, true, true).importedFiles.map((f) => `${rel} → ${f.fileName}`));
    const outside = imports.filter((i) => {
      const spec = i.split(" → ")[1];
      return !spec.startsWith(".") && !ALLOWED_PACKAGES.includes(spec);
    });
    expect(outside).toEqual([]);
    expect([...generated.keys()].filter((rel) => !rel.startsWith("types/sdk/"))).toEqual([]);
  });

  it("holds the declarations the compiler recognises as the SDK's", () => {
    expect(isSdkFile(join(root, "types/sdk/task.d.ts"))).toBe(true);
    expect(isSdkFile(join(root, "types/sdk/workflow.d.ts"))).toBe(true);
    expect(isSdkFile(join(root, "types/core/index.d.ts"))).toBe(false);
    expect(isSdkFile(join(root, "types/task.d.ts"))).toBe(false);
  });
});

describe("package.json", () => {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

  it("gives TypeScript the declarations and node the sources", () => {
    expect(pkg.exports["."]).toEqual({ types: "./types/sdk/index.d.ts", default: "./sdk/index.ts" });
    expect(pkg.types).toBe("./types/sdk/index.d.ts");
    expect(pkg.main).toBe("./sdk/index.ts");
  });

  it("resolves `weir` to types/ in a user project under bundler and nodenext resolution", () => {
    const from = join(root, "examples/ml-pipeline/pipeline.ts");
    for (const moduleResolution of [ts.ModuleResolutionKind.Bundler, ts.ModuleResolutionKind.NodeNext]) {
      const module = moduleResolution === ts.ModuleResolutionKind.Bundler ? ts.ModuleKind.Preserve : ts.ModuleKind.NodeNext;
      const { resolvedModule } = ts.resolveModuleName("weir", from, { module, moduleResolution }, ts.sys);
      expect(resolvedModule?.resolvedFileName).toBe(join(root, "types/sdk/index.d.ts"));
    }
  });
});
