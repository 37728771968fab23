// Entry of a task host (a worker thread, or a child process for GPU tasks). Plain JavaScript so it
// can register tsx's loader before anything TypeScript is imported; tsx then loads once per host.
import { register } from "tsx/esm/api";
import { register as registerCjs } from "tsx/cjs/api";
import { parentPort } from "node:worker_threads";

// Both hooks: a project without "type": "module" has its .ts files loaded as CommonJS.
register();
registerCjs();
const { createTaskRunner } = await import("./ts-task-runner.ts");
if (parentPort) {
  const port = parentPort;
  const handle = createTaskRunner((msg, transfer) => port.postMessage(msg, transfer));
  port.on("message", handle);
  port.postMessage({ type: "ready" });
} else if (process.send) {
  const handle = createTaskRunner((msg) => process.send(msg));
  process.on("message", handle);
  // Orphaned by a worker that died: nothing left to report to.
  process.on("disconnect", () => process.exit(0));
  process.send({ type: "ready" });
}
