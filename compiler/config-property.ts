// Points a spec check's finding about a config property ("schedule.cron", "resources.cpu") at that
// property's value in source: the spec only records where each task and workflow call starts.
import { Node } from "ts-morph";
import type { CallExpression } from "ts-morph";
import type { Diagnostic } from "../core/index.ts";
import { followConst } from "./config.ts";
import { locationOf } from "./location.ts";

// The config sections a diagnostic's `path` may name; "inputs.x" and "outputs.x" name variables.
const CONFIG_SECTIONS = new Set(["schedule", "resources", "retries", "timeout", "cache"]);

/**
 * The diagnostics with each config property's finding moved to that property's value (or to the
 * nearest enclosing property written, e.g. `retries: 20` for "retries.attempts"). `callAt` finds
 * the task or workflow call a template's location names.
 */
export function atConfigProperties(
  root: string,
  diagnostics: Diagnostic[],
  callAt: (location: Diagnostic["location"]) => CallExpression | undefined,
): Diagnostic[] {
  return diagnostics.map((d) => {
    if (d.path === undefined || d.location === undefined || !CONFIG_SECTIONS.has(d.path.split(".")[0])) return d;
    const call = callAt(d.location);
    const value = call ? configValue(call, d.path.split(".")) : undefined;
    return value ? { ...d, location: locationOf(root, value) } : d;
  });
}

/** The value written for the deepest existing prefix of `path` in the call's config object. */
function configValue(call: CallExpression, path: readonly string[]): Node | undefined {
  let object = call.getArguments()[0];
  let found: Node | undefined;
  for (const key of path) {
    const target = object ? followConst(object) : undefined;
    if (!target || !Node.isObjectLiteralExpression(target)) break;
    const property = target.getProperty(key);
    const value = Node.isPropertyAssignment(property)
      ? property.getInitializer()
      : Node.isShorthandPropertyAssignment(property)
        ? property.getNameNode()
        : undefined;
    if (!value) break;
    found = value;
    object = value;
  }
  return found;
}
