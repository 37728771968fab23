// Writes compiled specs: `<name>.pb` (binary) and `<name>.json` (protobuf JSON), byte-for-byte
// deterministic, each written to a temporary file and renamed into place. Task templates are shared
// by many specs; each is encoded once (spec-hash.ts's encodings, and its JSON form memoised here).
import { toJson } from "@bufbuild/protobuf";
import type { JsonObject } from "@bufbuild/protobuf";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CompiledWorkflowSchema, TaskTemplateSchema } from "../proto/index.ts";
import type { CompiledWorkflow, TaskTemplate } from "../proto/index.ts";
import { specBinary } from "./spec-hash.ts";

/** A file name for a workflow name (names may hold characters a file system dislikes). */
export function specFileBase(workflowName: string): string {
  return workflowName.replace(/[^A-Za-z0-9_.-]+/g, "_");
}

// A task template's JSON value (templates never change once built, so the value is reused).
const taskJson = new WeakMap<TaskTemplate, JsonObject>();

/** `toJsonString(CompiledWorkflowSchema, spec, { prettySpaces: 2 })` plus a newline. */
export function specJson(spec: CompiledWorkflow): string {
  // toJsonString is JSON.stringify over toJson; the tasks' values are swapped for memoised equals.
  const value = toJson(CompiledWorkflowSchema, { ...spec, tasks: [] }) as JsonObject;
  if (spec.tasks.length > 0) {
    const tasks = spec.tasks.map((task) => {
      let json = taskJson.get(task);
      if (!json) {
        json = toJson(TaskTemplateSchema, task) as JsonObject;
        taskJson.set(task, json);
      }
      return json;
    });
    // Field order as toJson writes it: workflow, subworkflows, tasks, compilerVersion.
    const { compilerVersion, ...before } = value;
    return `${JSON.stringify(compilerVersion === undefined ? { ...before, tasks } : { ...before, tasks, compilerVersion }, null, 2)}\n`;
  }
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Writes every spec under `outDir`; returns the written paths (absolute), sorted. */
export function emitSpecs(specs: readonly CompiledWorkflow[], outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const spec of specs) {
    const base = path.join(outDir, specFileBase(spec.workflow?.name ?? "workflow"));
    written.push(writeAtomically(`${base}.pb`, specBinary(spec)));
    written.push(writeAtomically(`${base}.json`, specJson(spec)));
  }
  return written.sort();
}

function writeAtomically(file: string, data: Uint8Array | string): string {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
  return file;
}
