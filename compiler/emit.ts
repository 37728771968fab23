// Writes compiled specs: `<name>.pb` (binary) and `<name>.json` (protobuf JSON), byte-for-byte
// deterministic, each written to a temporary file and renamed into place.
import { toBinary, toJsonString } from "@bufbuild/protobuf";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CompiledWorkflowSchema } from "../proto/index.ts";
import type { CompiledWorkflow } from "../proto/index.ts";

/** A file name for a workflow name (names may hold characters a file system dislikes). */
export function specFileBase(workflowName: string): string {
  return workflowName.replace(/[^A-Za-z0-9_.-]+/g, "_");
}

export function specJson(spec: CompiledWorkflow): string {
  return `${toJsonString(CompiledWorkflowSchema, spec, { prettySpaces: 2 })}\n`;
}

/** Writes every spec under `outDir`; returns the written paths (absolute), sorted. */
export function emitSpecs(specs: readonly CompiledWorkflow[], outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const spec of specs) {
    const base = path.join(outDir, specFileBase(spec.workflow?.name ?? "workflow"));
    written.push(writeAtomically(`${base}.pb`, toBinary(CompiledWorkflowSchema, spec)));
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
