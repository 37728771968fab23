// What the worker tests share: a copy of the worker fixture project (its `weir` and `apache-arrow`
// imports resolving to this checkout) and task templates for its tasks, as the compiler would make.
import { cpSync, mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { create } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { LiteralTypeSchema, SimpleType, TaskTemplateSchema, TypedInterfaceSchema } from "../../../proto/index.ts";
import type { LiteralType, TaskTemplate } from "../../../proto/index.ts";
import { taskCodeHash, taskVersion } from "../../../core/index.ts";

export const REPO = resolve(import.meta.dirname, "../../..");
export const lt = (type: MessageInitShape<typeof LiteralTypeSchema>["type"]): LiteralType => create(LiteralTypeSchema, { type });
export const INT = lt({ case: "simple", value: SimpleType.INTEGER });
export const STRING = lt({ case: "simple", value: SimpleType.STRING });
export const BOOLEAN = lt({ case: "simple", value: SimpleType.BOOLEAN });

export function makeProject(prefix = "weir-worker-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(join(REPO, "test/fixtures/worker"), dir, { recursive: true });
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(REPO, join(dir, "node_modules", "weir"));
  symlinkSync(join(REPO, "node_modules", "apache-arrow"), join(dir, "node_modules", "apache-arrow"));
  return dir;
}

function iface(inputs: Record<string, LiteralType>, outputs: Record<string, LiteralType>) {
  return create(TypedInterfaceSchema, {
    inputs: Object.entries(inputs).map(([name, type]) => ({ name, type })),
    outputs: Object.entries(outputs).map(([name, type]) => ({ name, type })),
  });
}

/** A TypeScript task of the fixture (module relative to the project), with its real version. */
export function tsTask(
  project: string,
  module: string,
  exportName: string,
  inputs: Record<string, LiteralType>,
  outputs: Record<string, LiteralType>,
  options: { timeoutMs?: number } = {},
): TaskTemplate {
  const i = iface(inputs, outputs);
  const version = taskVersion(i, taskCodeHash(project, module, exportName));
  return create(TaskTemplateSchema, {
    name: exportName,
    version,
    interface: i,
    runtime: { case: "node", value: { module, exportName } },
    timeout: options.timeoutMs ? durationFromMs(options.timeoutMs) : undefined,
  });
}

/** A command task running `command` (no shell unless the command is one). */
export function commandTask(name: string, command: string[], outputs: Record<string, LiteralType> = {}, options: { timeoutMs?: number } = {}): TaskTemplate {
  return create(TaskTemplateSchema, {
    name,
    interface: iface({}, outputs),
    runtime: { case: "command", value: { command } },
    timeout: options.timeoutMs ? durationFromMs(options.timeoutMs) : undefined,
  });
}
