// Runs a TypeScript task that was given GPUs in its own child process, with CUDA_VISIBLE_DEVICES
// set to exactly its devices (CUDA reads it at process start, so a shared thread cannot do this).
// The process leads a group of its own that dies with the worker (process-group.ts), so neither it
// nor what it starts (a training script) outlives a killed worker.
import { fileURLToPath } from "node:url";
import type { AttemptHandle, AttemptOutcome, OnStarted } from "./executor.ts";
import { gpuEnv } from "./gpus.ts";
import { spawnInGroup } from "./process-group.ts";
import type { KnownTemplate } from "./task-templates.ts";
import type { HostConfig, HostMessage, HostRequest, RunItem } from "./ts-task-runner.ts";

const HOST_ENTRY = fileURLToPath(new URL("./task-host.mjs", import.meta.url));

export function startInProcess(
  config: HostConfig,
  template: KnownTemplate,
  item: RunItem,
  gpus: number[],
  onLog: (text: string) => void,
  killGraceMs: number,
  onStarted: OnStarted,
): AttemptHandle {
  // Structured clone over IPC, so Uint8Array payloads survive the trip.
  const group = spawnInGroup(process.execPath, [HOST_ENTRY], { env: { ...process.env, ...gpuEnv(gpus) }, ipc: "advanced" });
  const child = group.child;
  let settled = false;
  const done = new Promise<AttemptOutcome>((resolve) => {
    const finish = (outcome: AttemptOutcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
      group.kill("SIGKILL");
    };
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => onLog(chunk.replace(/\n$/, "")));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => onLog(chunk.replace(/\n$/, "")));
    child.on("message", (msg: HostMessage | { type: "ready" }) => {
      if (msg.type === "ready") {
        const requests: HostRequest[] = [config, { type: "task", tid: template.tid, task: template.bytes }, { type: "runs", runs: [item] }];
        for (const req of requests) child.send(req);
      } else if (msg.type === "log") onLog(msg.text);
      else if (msg.type === "started") onStarted(msg.at);
      else {
        const r = msg.results.find((x) => x.id === item.id);
        if (r) finish(r.outputs ? { outputs: r.outputs, workdir: r.workdir } : { error: r.error!, workdir: r.workdir });
      }
    });
    child.on("exit", (code, signal) =>
      finish({ error: { code: "TASK_FAILED", message: `the task's process exited (${signal ?? `code ${code}`}) before reporting a result` } }),
    );
    child.on("error", (err) => finish({ error: { code: "TASK_FAILED", message: `could not start the task's process: ${err.message}` } }));
  });
  return {
    done,
    stop: () => {
      if (child.connected) child.send({ type: "abort", id: item.id });
      setTimeout(() => group.kill("SIGKILL"), killGraceMs).unref();
    },
  };
}
