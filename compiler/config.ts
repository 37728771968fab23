// Reads the literal config objects of `task(...)`, `task.command(...)` and `workflow(...)`:
// resources, retries, timeout, cache, schedule. Values are read from the checker's literal types,
// so a module-level `const GPU_POOL = "gpu"` works as well as an inline literal.
import { create } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Node } from "ts-morph";
import type { CallExpression, ObjectLiteralExpression } from "ts-morph";
import { CachePolicySchema, CommandRuntimeSchema, ResourcesSchema, RetryPolicySchema, ScheduleSchema } from "../proto/index.ts";
import type { CachePolicy, CommandRuntime, Resources, RetryPolicy, Schedule, TypedInterface } from "../proto/index.ts";
import type { Duration } from "@bufbuild/protobuf/wkt";
import { SimpleType } from "../proto/index.ts";
import { Diagnostics, diagnostic, parseDuration, parseMemory } from "../core/index.ts";
import type { Diagnostic } from "../core/index.ts";
import { locationOf } from "./location.ts";

export const CONFIG_DEFAULTS = Object.freeze({ pool: "cpu" });

export interface TaskSettings {
  resources: Resources;
  retries?: RetryPolicy;
  timeout?: Duration;
  cache?: CachePolicy;
  interruptible: boolean;
  command?: CommandRuntime;
}

export interface WorkflowSettings {
  schedule?: Schedule;
  maxParallelism: number;
}

type Scalar = string | number | boolean | undefined;

/** Reads config properties, reporting each unreadable one (WEIR9005) at its location. */
class ConfigReader {
  readonly diagnostics: Diagnostic[] = [];
  constructor(
    private readonly root: string,
    private readonly owner: string,
  ) {}

  object(call: CallExpression, index = 0): ObjectLiteralExpression | undefined {
    const arg = call.getArguments()[index];
    const object = arg ? followConst(arg) : undefined;
    if (!object || !Node.isObjectLiteralExpression(object)) {
      this.fail(arg ?? call, `the config of ${this.owner} must be an object literal`);
      return undefined;
    }
    return object;
  }

  property(object: ObjectLiteralExpression | undefined, name: string): Node | undefined {
    const property = object?.getProperty(name);
    if (!property) return undefined;
    if (Node.isPropertyAssignment(property)) return property.getInitializerOrThrow();
    if (Node.isShorthandPropertyAssignment(property)) return property.getNameNode();
    this.fail(property, `${this.owner}: write '${name}' as name: value`);
    return undefined;
  }

  scalar(object: ObjectLiteralExpression | undefined, name: string): Scalar {
    const node = this.property(object, name);
    if (!node) return undefined;
    const type = node.getType();
    if (type.isBooleanLiteral()) return type.getText() === "true";
    const value = type.getLiteralValue();
    if (typeof value === "string" || typeof value === "number") return value;
    if (type.isUndefined()) return undefined;
    this.fail(node, `${this.owner}: '${name}' must be a literal value (the compiler does not run code), got ${node.getText()}`);
    return undefined;
  }

  string(object: ObjectLiteralExpression | undefined, name: string): string | undefined {
    const value = this.scalar(object, name);
    if (value === undefined || typeof value === "string") return value;
    this.fail(this.property(object, name)!, `${this.owner}: '${name}' must be a string`);
    return undefined;
  }

  number(object: ObjectLiteralExpression | undefined, name: string): number | undefined {
    const value = this.scalar(object, name);
    if (value === undefined || typeof value === "number") return value;
    this.fail(this.property(object, name)!, `${this.owner}: '${name}' must be a number`);
    return undefined;
  }

  duration(object: ObjectLiteralExpression | undefined, name: string): Duration | undefined {
    const text = this.string(object, name);
    if (text === undefined) return undefined;
    try {
      return durationFromMs(parseDuration(text));
    } catch (error) {
      this.fail(this.property(object, name)!, `${this.owner}: ${(error as Error).message.replace(/^weir: /, "")}`);
      return undefined;
    }
  }

  nested(object: ObjectLiteralExpression | undefined, name: string): ObjectLiteralExpression | undefined {
    const node = this.property(object, name);
    if (!node) return undefined;
    const target = followConst(node);
    if (Node.isObjectLiteralExpression(target)) return target;
    this.fail(node, `${this.owner}: '${name}' must be an object literal`);
    return undefined;
  }

  strings(object: ObjectLiteralExpression | undefined, name: string): string[] | undefined {
    const node = this.property(object, name);
    if (!node) return undefined;
    const target = followConst(node);
    if (Node.isArrayLiteralExpression(target)) {
      const values = target.getElements().map((e) => e.getType().getLiteralValue());
      if (values.every((v) => typeof v === "string")) return values as string[];
    }
    this.fail(node, `${this.owner}: '${name}' must be an array of string literals`);
    return undefined;
  }

  fail(node: Node, message: string): void {
    this.diagnostics.push(diagnostic(Diagnostics.ConfigurationError, [message], locationOf(this.root, node)));
  }
}

/** A property's value, following an identifier to its `const` initializer. */
export function followConst(node: Node): Node {
  let current = node;
  for (let i = 0; i < 8 && Node.isIdentifier(current); i++) {
    const declaration = current.getSymbol()?.getDeclarations()[0];
    const init = declaration && Node.isVariableDeclaration(declaration) ? declaration.getInitializer() : undefined;
    if (!init) break;
    current = init;
  }
  while (Node.isAsExpression(current) || Node.isSatisfiesExpression(current) || Node.isParenthesizedExpression(current)) {
    current = current.getExpression();
  }
  return current;
}

export function readTaskSettings(root: string, name: string, call: CallExpression, isCommand: boolean): { settings: TaskSettings; diagnostics: Diagnostic[] } {
  const r = new ConfigReader(root, `task '${name}'`);
  const config = r.object(call);
  const res = r.nested(config, "resources");
  const memory = r.string(res, "memory");
  let memoryBytes = 0n;
  if (memory !== undefined) {
    try {
      memoryBytes = BigInt(parseMemory(memory));
    } catch (error) {
      r.fail(r.property(res, "memory")!, `task '${name}': ${(error as Error).message.replace(/^weir: /, "")}`);
    }
  }
  const resources = create(ResourcesSchema, {
    pool: r.string(res, "pool") ?? CONFIG_DEFAULTS.pool,
    cpu: r.number(res, "cpu") ?? 0,
    memory: memoryBytes,
    gpu: r.number(res, "gpu") ?? 0,
    gpuType: r.string(res, "gpuType") ?? "",
  });

  let retries: RetryPolicy | undefined;
  const retriesNode = r.property(config, "retries");
  if (retriesNode) {
    const target = followConst(retriesNode);
    if (Node.isObjectLiteralExpression(target)) {
      retries = create(RetryPolicySchema, {
        attempts: r.number(target, "attempts") ?? 0,
        backoff: r.duration(target, "backoff"),
        maxDelay: r.duration(target, "maxDelay"),
      });
    } else {
      retries = create(RetryPolicySchema, { attempts: r.number(config, "retries") ?? 0 });
    }
  }

  let cache: CachePolicy | undefined;
  const cacheNode = r.property(config, "cache");
  if (cacheNode) {
    const target = followConst(cacheNode);
    if (Node.isObjectLiteralExpression(target)) cache = create(CachePolicySchema, { enabled: true, version: r.string(target, "version") ?? "" });
    else cache = create(CachePolicySchema, { enabled: r.scalar(config, "cache") === true });
  }

  let command: CommandRuntime | undefined;
  if (isCommand) {
    const env: Record<string, string> = {};
    const envObject = r.nested(config, "env");
    for (const property of envObject?.getProperties() ?? []) {
      const key = Node.isPropertyAssignment(property) ? property.getName().replace(/^["']|["']$/g, "") : undefined;
      const value = key ? r.string(envObject, key) : undefined;
      if (key && value !== undefined) env[key] = value;
    }
    const sortedEnv = Object.fromEntries(Object.entries(env).sort(([a], [b]) => (a < b ? -1 : 1)));
    command = create(CommandRuntimeSchema, { command: r.strings(config, "command") ?? [], env: sortedEnv, cwd: r.string(config, "cwd") ?? "" });
  }

  return {
    settings: {
      resources,
      retries,
      timeout: r.duration(config, "timeout"),
      cache,
      interruptible: r.scalar(config, "interruptible") === true,
      command,
    },
    diagnostics: r.diagnostics,
  };
}

export function readWorkflowSettings(
  root: string,
  name: string,
  call: CallExpression,
  iface: TypedInterface,
): { settings: WorkflowSettings; diagnostics: Diagnostic[] } {
  const r = new ConfigReader(root, `workflow '${name}'`);
  const config = r.object(call);
  const s = r.nested(config, "schedule");
  let schedule: Schedule | undefined;
  if (s) {
    const cron = r.string(s, "cron");
    const every = r.duration(s, "every");
    const timestamp = (key: string) => {
      const text = r.string(s, key);
      if (text === undefined) return undefined;
      const ms = Date.parse(text);
      if (Number.isNaN(ms)) {
        r.fail(r.property(s, key)!, `workflow '${name}': schedule.${key} "${text}" is not an ISO date (e.g. "2024-01-01")`);
        return undefined;
      }
      return timestampFromMs(ms);
    };
    // The tick's time goes to `kickoffInput`, or else to the workflow's one date/datetime input.
    const timeInputs = iface.inputs.filter(
      (v) => v.type?.type.case === "simple" && (v.type.type.value === SimpleType.DATE || v.type.type.value === SimpleType.DATETIME),
    );
    schedule = create(ScheduleSchema, {
      trigger: cron !== undefined ? { case: "cron", value: cron } : every ? { case: "fixedRate", value: every } : { case: undefined },
      timezone: r.string(s, "timezone") ?? "",
      start: timestamp("start"),
      end: timestamp("end"),
      catchup: r.scalar(s, "catchup") === true,
      maxActiveRuns: r.number(s, "maxActiveRuns") ?? 0,
      kickoffInput: r.string(s, "kickoffInput") ?? (timeInputs.length === 1 ? timeInputs[0].name : ""),
    });
  }
  return { settings: { schedule, maxParallelism: r.number(config, "maxParallelism") ?? 0 }, diagnostics: r.diagnostics };
}
