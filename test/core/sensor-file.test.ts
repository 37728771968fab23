// A file sensor yields a file whose format is its path's extension, when the path's last segment
// is known text; otherwise a file of no declared format.
import { describe, expect, it } from "vitest";
import { extensionOf } from "../../core/index.ts";
import { L, V } from "./spec-builder.ts";

describe("extensionOf", () => {
  it("reads the extension of a literal path or of a template's last text", () => {
    expect(extensionOf(V.lit(L.string("data/in.csv")))).toBe("csv");
    expect(extensionOf(V.template("data/", V.input("day"), "/data.parquet"))).toBe("parquet");
    expect(extensionOf(V.template("data/", V.input("day"), ".csv"))).toBe("csv");
  });
  it("gives none when the name ends in a value, has no extension or is a dot file", () => {
    expect(extensionOf(V.template("data/", V.input("file")))).toBe("");
    expect(extensionOf(V.template("data/", V.input("day"), "/data"))).toBe("");
    expect(extensionOf(V.lit(L.string("data/.hidden")))).toBe("");
    expect(extensionOf(V.lit(L.string("data.d/file")))).toBe("");
    expect(extensionOf(undefined)).toBe("");
  });
});
