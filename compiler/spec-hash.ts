// A workflow's version: sha256 of its standalone CompiledWorkflow's binary form with every workflow
// version blank. The binary of a message is its fields' encodings in order, so the hash is fed each
// template's own encoding (memoised per template object: a watch recompile re-encodes only what
// changed) between the field tags and lengths `toBinary` would write: the same bytes, in pieces.
// The spec file's own binary is assembled the same way (`specBinary`), so each task is encoded once.
import { toBinary } from "@bufbuild/protobuf";
import { createHash } from "node:crypto";
import { TaskTemplateSchema, WorkflowTemplateSchema } from "../proto/index.ts";
import type { CompiledWorkflow, TaskTemplate, WorkflowTemplate } from "../proto/index.ts";

// Field tags of CompiledWorkflow (spec.proto): 1 workflow, 2 subworkflows, 3 tasks, 4 compiler_version,
// all length-delimited (wire type 2).
const TAG = Object.freeze({ workflow: 0x0a, subworkflows: 0x12, tasks: 0x1a, compilerVersion: 0x22 });

// Workflow templates are encoded with a blank version (set after hashing; never changes otherwise).
const blankWorkflows = new WeakMap<WorkflowTemplate, Uint8Array>();
const tasks = new WeakMap<TaskTemplate, Uint8Array>();

function workflowBytes(template: WorkflowTemplate): Uint8Array {
  let bytes = blankWorkflows.get(template);
  if (!bytes) {
    const version = template.version;
    template.version = "";
    try {
      bytes = toBinary(WorkflowTemplateSchema, template);
    } finally {
      template.version = version;
    }
    blankWorkflows.set(template, bytes);
  }
  return bytes;
}

function taskBytes(template: TaskTemplate): Uint8Array {
  let bytes = tasks.get(template);
  if (!bytes) {
    bytes = toBinary(TaskTemplateSchema, template);
    tasks.set(template, bytes);
  }
  return bytes;
}

function varint(value: number): Uint8Array {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Uint8Array.from(out);
}

// Feeds `field` each top-level field of `spec` as toBinary writes them, in order.
function eachField(spec: CompiledWorkflow, workflow: (t: WorkflowTemplate) => Uint8Array, field: (tag: number, bytes: Uint8Array) => void): void {
  if (spec.workflow) field(TAG.workflow, workflow(spec.workflow));
  for (const sub of spec.subworkflows) field(TAG.subworkflows, workflow(sub));
  for (const task of spec.tasks) field(TAG.tasks, taskBytes(task));
  if (spec.compilerVersion !== "") field(TAG.compilerVersion, new TextEncoder().encode(spec.compilerVersion));
}

/** sha256 (hex) of `toBinary(CompiledWorkflowSchema, spec)` with every workflow template's version blank. */
export function workflowVersionHash(spec: CompiledWorkflow): string {
  const hash = createHash("sha256");
  eachField(spec, workflowBytes, (tag, bytes) => hash.update(Uint8Array.of(tag)).update(varint(bytes.length)).update(bytes));
  return hash.digest("hex");
}

/** `toBinary(CompiledWorkflowSchema, spec)`, byte for byte, reusing each task template's encoding. */
export function specBinary(spec: CompiledWorkflow): Uint8Array {
  const pieces: Uint8Array[] = [];
  eachField(
    spec,
    (t) => toBinary(WorkflowTemplateSchema, t),
    (tag, bytes) => pieces.push(Uint8Array.of(tag), varint(bytes.length), bytes),
  );
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

/** A shallow copy of `template` with another version, sharing its memoised blank-version encoding. */
export function withVersion(template: WorkflowTemplate, version: string): WorkflowTemplate {
  const copy: WorkflowTemplate = { ...template, version };
  const bytes = blankWorkflows.get(template);
  if (bytes) blankWorkflows.set(copy, bytes);
  return copy;
}
