// Compiled workflows the engine runs, read from the store; a given version is read once (the
// latest is looked up each time, since a newer one may be registered meanwhile).
import { fromBinary } from "@bufbuild/protobuf";
import { CompiledWorkflowSchema, type CompiledWorkflow } from "../../../proto/index.ts";
import { RuntimeError } from "../../error-codes.ts";
import type { Store } from "../../store/index.ts";

export class WorkflowSpecs {
  private readonly specs = new Map<string, CompiledWorkflow>();

  constructor(private readonly store: Store) {}

  async load(workflow: string, version?: string): Promise<CompiledWorkflow> {
    const key = `${workflow}@${version ?? ""}`;
    const cached = version ? this.specs.get(key) : undefined;
    if (cached) return cached;
    const rec = await this.store.getWorkflow(workflow, version || undefined);
    if (!rec) {
      throw new RuntimeError(
        "NOT_FOUND",
        `workflow ${workflow}${version ? ` version ${version}` : ""} is not registered; register it with \`weir register\` first`,
      );
    }
    const spec = fromBinary(CompiledWorkflowSchema, rec.spec);
    this.specs.set(`${workflow}@${rec.version}`, spec);
    return spec;
  }
}
