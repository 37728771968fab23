// Types of bin/bundle.mjs (plain JavaScript: it runs before any TypeScript loader).
/** The bundle's file for `entry` (relative to `root`, weir's package root by default), built if missing or stale. */
export function bundled(entry: string, root?: string): Promise<string>;
