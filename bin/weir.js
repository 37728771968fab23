#!/usr/bin/env node
// The `weir` command. weir ships TypeScript sources; tsx's loader lets Node 20+ run them as is.
// `weir server`, the long-lived runtime, runs from an esbuild bundle instead (bin/bundle.mjs):
// no loader thread, less memory. WEIR_SERVER_FROM_SOURCE=1 runs it through tsx (debugging).
if (process.argv[2] === "server" && !process.env.WEIR_SERVER_FROM_SOURCE) {
  const { bundled } = await import("./bundle.mjs");
  const { pathToFileURL } = await import("node:url");
  const { main } = await import(pathToFileURL(await bundled("runtime/server/main.ts")).href);
  await main(process.argv);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  const { main } = await import("./program.ts");
  await main(process.argv);
}
