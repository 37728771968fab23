// Where the compiler's fixture projects live (each a tiny real TS project importing "weir").
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const fixture = (name: string): string => path.join(REPO_ROOT, "test/fixtures/compiler", name);
