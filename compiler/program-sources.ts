// The code hash's sources inside the compiler: the files its program already parsed (with the
// TypeScript ts-morph bundles), each used only while its text is the file's text on disk, so the
// hash is the worker's byte for byte; any other file is parsed from disk with the same parser.
// One per compile: files are read once and do not change under it.
import { readFileSync } from "node:fs";
import { ts } from "ts-morph";
import type { CodeHashSources, TypeScriptApi } from "../core/index.ts";

type ParsedFile = ReturnType<CodeHashSources["parse"]>;

export function programSources(program: ts.Program): CodeHashSources {
  // ts-morph's bundled copy is the same TypeScript line as the `typescript` package (6.0); only
  // their declarations are distinct. The hash reads nothing but node kinds and text.
  const api = ts as unknown as TypeScriptApi;
  const memo = new Map<string, ParsedFile>();
  return {
    ts: api,
    parse(file: string): ParsedFile {
      let source = memo.get(file);
      if (!source) {
        const text = readFileSync(file, "utf8");
        const known = program.getSourceFile(file);
        source = (known && known.text === text ? known : ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false)) as unknown as ParsedFile;
        memo.set(file, source);
      }
      return source;
    },
  };
}
