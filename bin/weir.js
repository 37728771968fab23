#!/usr/bin/env node
// The `weir` command. weir ships TypeScript sources; tsx's loader lets Node 20+ run them as is.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./program.ts");
await main(process.argv);
