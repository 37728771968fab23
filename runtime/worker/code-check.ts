// Whether this worker's code is the code a task template was compiled from: the task's version
// recomputed from the project's files (core/code-hash.ts), once per template and then at most
// every codeHashRecheckMs (taskCodeHash re-reads only files whose mtime or size changed). Done in
// the worker's main thread, so task threads and GPU processes never load the TypeScript parser.
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { CodeHashError, taskCodeHash, taskVersion } from "../../core/index.ts";
import { AttemptFailure } from "./attempt-failure.ts";
import { WORKER_DEFAULTS } from "./defaults.ts";
import type { KnownTemplate } from "./task-templates.ts";

interface Checked {
  at: number;
  failure: AttemptFailure | undefined;
}

export class CodeChecks {
  private readonly checked = new Map<number, Checked>();
  private readonly projectRoot: string;
  private readonly recheckMs: number;

  constructor(projectRoot: string, recheckMs = WORKER_DEFAULTS.codeHashRecheckMs) {
    this.projectRoot = projectRoot;
    this.recheckMs = recheckMs;
  }

  /** Undefined when the code matches; otherwise TASK_NOT_FOUND or CODE_HASH_MISMATCH. */
  check(template: KnownTemplate, now = Date.now()): AttemptFailure | undefined {
    const last = this.checked.get(template.tid);
    if (last && now - last.at < this.recheckMs) return last.failure;
    const failure = this.compute(template);
    this.checked.set(template.tid, { at: now, failure });
    return failure;
  }

  private compute(template: KnownTemplate): AttemptFailure | undefined {
    const task = template.task;
    if (task.runtime.case !== "node") return new AttemptFailure("TASK_NOT_FOUND", `task '${task.name}' is not a TypeScript task`);
    const { module, exportName } = task.runtime.value;
    let codeHash: string;
    try {
      statSync(resolve(this.projectRoot, module));
      codeHash = taskCodeHash(this.projectRoot, module, exportName);
    } catch (err) {
      if (err instanceof CodeHashError || (err as NodeJS.ErrnoException).code === "ENOENT") {
        return new AttemptFailure(
          "TASK_NOT_FOUND",
          `task '${task.name}': ${(err as Error).message} (worker project root ${this.projectRoot}); start the worker in the project the workflow was compiled from`,
        );
      }
      throw err;
    }
    const version = taskVersion(task.interface!, codeHash);
    if (version === task.version) return undefined;
    return new AttemptFailure(
      "CODE_HASH_MISMATCH",
      `task '${task.name}' in ${module} changed since it was compiled (spec version ${task.version.slice(0, 12) || "(none)"}, code on this worker ${version.slice(0, 12)}); run \`weir compile\` and \`weir register\` again`,
    );
  }
}
