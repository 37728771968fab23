#!/usr/bin/env node
// The `weir` command. weir ships TypeScript sources; tsx's loader lets Node 20+ run them as is.
// `weir server`, the long-lived runtime, runs from an esbuild bundle instead (bin/bundle.mjs):
// no loader thread, less memory. WEIR_SERVER_FROM_SOURCE=1 runs it through tsx (debugging), and so
// does a bundle that cannot be built or written (a read-only install), with a note saying why.
const main = await entry();
await main(process.argv);

async function entry() {
  if (process.argv[2] === "server" && !process.env.WEIR_SERVER_FROM_SOURCE) {
    try {
      const { bundled } = await import("./bundle.mjs");
      const { pathToFileURL } = await import("node:url");
      return (await import(pathToFileURL(await bundled("runtime/server/main.ts")).href)).main;
    } catch (err) {
      process.stderr.write(`weir server: running from source (the server bundle could not be made: ${err instanceof Error ? err.message : String(err)})\n`);
    }
  }
  const { register } = await import("tsx/esm/api");
  register();
  return (await import("./program.ts")).main;
}
