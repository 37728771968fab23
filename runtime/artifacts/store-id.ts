// The store id: a random name the runtime writes once into its artifact root (`<root>/store-id`) and
// sends workers in Registered. A worker that reads the same id at the root path it was given shares
// the runtime's disk; any other (another host, another mount, no such file) moves artifacts over
// gRPC. A path alone cannot tell: two hosts may both have `/srv/weir/artifacts`.
import { randomBytes } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const FILE = "store-id";
const ID = /^[0-9a-f]{32}$/;

/** The id in `root`, made (atomically, once, whoever races) when there is none. */
export function ensureStoreId(root: string): string {
  const existing = readStoreId(root);
  if (existing) return existing;
  mkdirSync(root, { recursive: true });
  const tmp = join(root, `${FILE}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`);
  writeFileSync(tmp, `${randomBytes(16).toString("hex")}\n`);
  try {
    // link, not rename: it fails when another runtime made one first, and then theirs is kept.
    linkSync(tmp, join(root, FILE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  } finally {
    unlinkSync(tmp);
  }
  const made = readStoreId(root);
  if (!made) throw new Error(`${join(root, FILE)} does not hold a store id; remove it and restart the runtime`);
  return made;
}

/** The id in `root`, or undefined when there is none (not this host's store, or not readable). */
export function readStoreId(root: string): string | undefined {
  try {
    const text = readFileSync(join(root, FILE), "utf8").trim();
    return ID.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}
