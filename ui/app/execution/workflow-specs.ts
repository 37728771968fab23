// Compiled specs by workflow and version, fetched once per page load: a version never changes, so
// the execution page asks for its spec the moment the first snapshot names it (before rendering
// that snapshot) and finds it ready, or in flight, when the graph needs it.
import type { CompiledWorkflow } from "../../../proto/messages.ts";
import { admin } from "../api/admin.ts";

const specs = new Map<string, Promise<CompiledWorkflow | undefined>>();

export function workflowSpec(name: string, version: string): Promise<CompiledWorkflow | undefined> {
  const key = `${name}@${version}`;
  let spec = specs.get(key);
  if (!spec) {
    spec = admin.getWorkflow({ name, version }).then((r) => r.spec);
    // A failed fetch is not remembered: the next ask tries again.
    spec.catch(() => specs.delete(key));
    specs.set(key, spec);
  }
  return spec;
}
