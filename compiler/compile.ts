// Orchestrates one compilation: load → discover → read interfaces → extract bodies → assemble
// each exported workflow's CompiledWorkflow → version it → run the spec checks. Returns specs and
// every diagnostic; writing files is emit.ts's job.
import { create, equals } from "@bufbuild/protobuf";
import path from "node:path";
import { CompiledWorkflowSchema, NodeModuleRuntimeSchema, SourceLocationSchema, TaskTemplateSchema, WorkflowTemplateSchema } from "../proto/index.ts";
import type { CompiledWorkflow, TaskTemplate, TypedInterface, WorkflowTemplate } from "../proto/index.ts";
import type { CallExpression, SourceFile, ts } from "ts-morph";
import { readTaskSettings, readWorkflowSettings } from "./config.ts";
import { atConfigProperties } from "./config-property.ts";
import { Diagnostics, checkCompiledWorkflow, compareDiagnostics, computeTaskCodeHash, diagnostic, taskVersion } from "../core/index.ts";
import type { CodeHashSources, Diagnostic } from "../core/index.ts";
import { discover } from "./discover.ts";
import type { Definition, Discovery, DiscoveryCache } from "./discover.ts";
import { extractWorkflowBody } from "./extract/workflow-body.ts";
import type { BodyCascade } from "./extract/workflow-body.ts";
import { readInterface } from "./interface.ts";
import type { ReadInterface } from "./interface.ts";
import { locationOf } from "./location.ts";
import { COMPILER_VERSION } from "./options.ts";
import { programSources } from "./program-sources.ts";
import { loadProject, projectSourceFiles, relativeToRoot } from "./project.ts";
import type { LoadedProject } from "./project.ts";
import { withVersion, workflowVersionHash } from "./spec-hash.ts";
import { IncrementalTscDiagnostics, tscDiagnostics } from "./tsc-diagnostics.ts";
import { ExtractionCache, Fingerprints, definitionKey } from "./extraction-cache.ts";
import type { CachedWorkflow } from "./extraction-cache.ts";

export interface CompileResult {
  /** One per exported workflow, sorted by name. */
  readonly specs: CompiledWorkflow[];
  /** Sorted by location; errors and warnings together. */
  readonly diagnostics: Diagnostic[];
  /** The project root (absent when the project could not be loaded). */
  readonly root?: string;
  /** True when the project itself could not be loaded (a usage/config error, exit code 2). */
  readonly configError: boolean;
}

export interface CompileSettings {
  /** Report tsc's own errors on the project's files (WEIR9001). */
  readonly includeTscDiagnostics: boolean;
}

/** Loads the project at `target` (a directory or tsconfig.json) and compiles it. */
export function compileProject(target: string, settings: Partial<CompileSettings> = {}): CompileResult {
  const loaded = loadProject(target);
  if (!loaded.ok) return { specs: [], diagnostics: [loaded.diagnostic], configError: true };
  return compileLoaded(loaded.loaded, settings);
}

/** What a watch loop keeps between compiles of one loaded project (see watch.ts). */
export interface CompileState {
  /** tsc's errors and files' signatures (the editor's stand-in: declaration-signatures.ts). */
  readonly tsc: Pick<IncrementalTscDiagnostics, "diagnostics" | "signatureOf">;
  readonly cache: ExtractionCache;
  readonly discovery: DiscoveryCache;
}

export function createCompileState(root: string): CompileState {
  return { tsc: new IncrementalTscDiagnostics(root), cache: new ExtractionCache(), discovery: new Map() };
}

/**
 * Compiles an already loaded project. With `state` (the watch loop), tsc's errors come from a
 * builder that re-checks only affected files, and unchanged tasks and workflows are not re-read.
 */
export function compileLoaded(loaded: LoadedProject, settings: Partial<CompileSettings> = {}, state?: CompileState): CompileResult {
  const files = projectSourceFiles(loaded);
  return compileProgram({ root: loaded.root, program: loaded.project.getProgram().compilerObject, files }, settings, state);
}

/** A project as the compiler reads it: its program and the project's own files as ts-morph nodes over it. */
export interface ProgramView {
  /** Absolute directory every spec path is relative to. */
  readonly root: string;
  readonly program: ts.Program;
  /** The project's own files (see projectSourceFiles), sorted by path. */
  readonly files: readonly SourceFile[];
  /** Where code hashes read files (by default programSources over `program`). */
  readonly sources?: CodeHashSources;
}

/** Compiles `view`: a loaded project's program, or one the compiler did not build (the editor's: editor-session.ts). */
export function compileProgram(view: ProgramView, settings: Partial<CompileSettings> = {}, state?: CompileState): CompileResult {
  const { root, program, files } = view;
  // In watch mode the builder runs first: its signatures tell which files importers see changed.
  const tsc = state ? state.tsc.diagnostics(program) : undefined;
  const fingerprints = state ? new Fingerprints(program, root, (f) => state.tsc.signatureOf(f)) : undefined;
  const found = discover(root, files, state?.discovery, fingerprints ? (f) => fingerprints.of(f.compilerNode.fileName) : undefined);
  const specs: CompiledWorkflow[] = [];
  const diagnostics: Diagnostic[] = [...found.diagnostics];
  if (settings.includeTscDiagnostics ?? true) diagnostics.push(...(tsc ?? tscDiagnostics(program, root)));
  const sources = view.sources ?? programSources(program);
  const compilation = new Compilation(root, found, sources, state && fingerprints ? { cache: state.cache, fingerprints } : undefined);
  if (found.workflows.length === 0) {
    diagnostics.push(
      diagnostic(Diagnostics.NoWorkflowsFound, [relativeToRoot(process.cwd(), root) || "."], undefined, [
        'declare one with `export const daily = workflow({ name: "daily" }, (inputs) => { ... })`',
      ]),
    );
  }
  diagnostics.push(...duplicateNames(root, found.workflows));

  const compiled: Array<[Definition, CompiledWorkflow]> = [];
  for (const definition of found.workflows) {
    const spec = compilation.compiledWorkflow(definition);
    if (spec) compiled.push([definition, spec]);
  }
  diagnostics.push(...compilation.diagnostics);
  for (const [definition, spec] of compiled) {
    const found = compilation.withoutCascades(compilation.checks(definition, spec));
    diagnostics.push(...atConfigProperties(root, found, (at) => compilation.callAt(at)));
    specs.push(spec);
  }
  specs.sort((a, b) => ((a.workflow?.name ?? "") < (b.workflow?.name ?? "") ? -1 : 1));
  return { specs, diagnostics: dedupe(withoutShadowedTsc(diagnostics)).sort(compareDiagnostics), root, configError: false };
}

interface CompiledDefinition {
  template: WorkflowTemplate;
  readonly tasks: Set<Definition>;
  readonly subworkflows: Set<Definition>;
}

class Compilation {
  readonly diagnostics: Diagnostic[] = [];
  // "workflow\0node\0path" of each variable a body left unbound after reporting why.
  private readonly cascades = new Set<string>();
  private readonly interfaces = new Map<Definition, ReadInterface>();
  private readonly tasks = new Map<Definition, TaskTemplate | undefined>();
  private readonly workflows = new Map<Definition, CompiledDefinition | undefined>();
  private readonly inProgress = new Set<Definition>();
  private readonly versions = new Map<Definition, string>();

  // Keys of the definitions used in this compile, so cached entries can name them.
  private readonly byKey = new Map<string, Definition>();
  // Workflows served from the cache in this compile (their version and checks may be reused).
  private readonly reused = new Set<Definition>();

  constructor(
    private readonly root: string,
    private readonly found: Discovery,
    // Code hashes reuse the files the program parsed while their text is current (program-sources.ts).
    private readonly sources: CodeHashSources,
    private readonly incremental?: { readonly cache: ExtractionCache; readonly fingerprints: Fingerprints },
  ) {
    for (const d of found.definitions) this.byKey.set(definitionKey(d.module, d.localName), d);
  }

  /** The spec checks' findings on `spec` (reused while its templates are the same objects). */
  checks(definition: Definition, spec: CompiledWorkflow): Diagnostic[] {
    const entry = this.reused.has(definition) ? this.cached(definition) : undefined;
    const over = [spec.workflow, ...spec.subworkflows, ...spec.tasks].filter((t) => t !== undefined);
    if (entry?.checks && sameButVersions(entry.checks.over, over)) return [...entry.checks.found];
    const found = checkCompiledWorkflow(spec);
    if (entry) entry.checks = { found, over };
    return found;
  }

  /** The spec checks' findings less those that only repeat an error the body already reported. */
  withoutCascades(found: Diagnostic[]): Diagnostic[] {
    return found.filter((d) => d.path === undefined || !this.cascades.has(cascadeKey(d.workflow ?? "", d.node, d.path)));
  }

  private noteCascades(cascades: readonly BodyCascade[]): void {
    for (const c of cascades) this.cascades.add(cascadeKey(c.workflow, c.node, c.path));
  }

  private calls: Map<string, CallExpression> | undefined;
  /** The task or workflow call that starts at `location` (where its template's source points). */
  callAt(location: Diagnostic["location"]): CallExpression | undefined {
    if (!this.calls) {
      this.calls = new Map();
      for (const d of this.found.definitions) this.calls.set(locationKey(locationOf(this.root, d.call)), d.call);
    }
    return location ? this.calls.get(locationKey(location)) : undefined;
  }

  private cached(definition: Definition): CachedWorkflow | undefined {
    return this.incremental?.cache.workflows.get(definitionKey(definition.module, definition.localName));
  }

  private fingerprint(definition: Definition): string {
    const print = this.incremental?.fingerprints.of(path.join(this.root, definition.module)) ?? "";
    return `${definition.name ?? ""}\0${definition.exportSite?.module ?? ""}#${definition.exportSite?.exportName ?? ""}\0${print}`;
  }

  compiledWorkflow(definition: Definition): CompiledWorkflow | undefined {
    const compiled = this.workflow(definition);
    if (!compiled) return undefined;
    // Versions are set on shared templates once; each is the hash of its own standalone spec.
    this.version(definition);
    for (const sub of this.transitive(compiled).subworkflows) this.version(sub);
    return this.assemble(compiled);
  }

  private assemble(compiled: CompiledDefinition): CompiledWorkflow {
    const { tasks, subworkflows } = this.transitive(compiled);
    const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    return create(CompiledWorkflowSchema, {
      workflow: compiled.template,
      subworkflows: [...subworkflows].flatMap((d) => this.workflows.get(d)?.template ?? []).sort(byName),
      tasks: [...tasks].flatMap((d) => this.tasks.get(d) ?? []).sort(byName),
      compilerVersion: COMPILER_VERSION,
    });
  }

  private transitive(compiled: CompiledDefinition): { tasks: Set<Definition>; subworkflows: Set<Definition> } {
    const tasks = new Set(compiled.tasks);
    const subworkflows = new Set<Definition>();
    const visit = (c: CompiledDefinition) => {
      for (const sub of c.subworkflows) {
        if (subworkflows.has(sub)) continue;
        subworkflows.add(sub);
        const inner = this.workflows.get(sub);
        if (!inner) continue;
        for (const t of inner.tasks) tasks.add(t);
        visit(inner);
      }
    };
    visit(compiled);
    return { tasks, subworkflows };
  }

  // WorkflowTemplate.version: sha256 of the standalone spec's binary with every workflow version blank.
  private version(definition: Definition): void {
    if (this.versions.has(definition)) return;
    const compiled = this.workflows.get(definition);
    if (!compiled) return;
    const spec = this.assemble(compiled);
    const over = [spec.workflow, ...spec.subworkflows, ...spec.tasks].filter((t) => t !== undefined);
    const entry = this.reused.has(definition) ? this.cached(definition) : undefined;
    if (entry?.version && sameObjects(entry.version.over, over)) {
      this.versions.set(definition, entry.version.value);
      compiled.template.version = entry.version.value;
      return;
    }
    const version = workflowVersionHash(spec);
    this.versions.set(definition, version);
    if (compiled.template.version === "" || compiled.template.version === version) {
      compiled.template.version = version;
    } else {
      // A cached template an earlier result still holds: give this compile its own copy.
      compiled.template = withVersion(compiled.template, version);
      const cached = this.cached(definition);
      if (cached) cached.template = compiled.template;
    }
    if (entry) entry.version = { value: version, over: [compiled.template, ...over.slice(1)] };
  }

  private interfaceOf(definition: Definition, what: string): TypedInterface {
    let read = this.interfaces.get(definition);
    if (!read) {
      read = readInterface(definition.declaration.getType(), definition.declaration);
      this.interfaces.set(definition, read);
      const name = definition.name ?? definition.localName;
      const at = locationOf(this.root, definition.declaration);
      // 'any' variables are reported by the spec checks (WEIR6003) from the spec itself.
      for (const problem of read.problems.filter((p) => p.kind === "unresolvable")) {
        const [side, variable] = problem.path.split(/\.(.*)/s);
        const subject = `${side === "inputs" ? "input" : "output"} '${variable ?? problem.path}' of ${what} '${name}'`;
        this.diagnostics.push(diagnostic(Diagnostics.UnresolvableTaskInterface, [name, `${subject}: ${problem.detail}`], at));
      }
    }
    return read.iface;
  }

  private nameOf(definition: Definition, what: string): string {
    if (definition.name !== undefined) return definition.name;
    const config = definition.call.getArguments()[0] ?? definition.call;
    this.diagnostics.push(
      diagnostic(
        Diagnostics.ConfigurationError,
        [`the ${what} '${definition.localName}' needs a string literal 'name' in its config`],
        locationOf(this.root, config),
      ),
    );
    return definition.localName;
  }

  task(definition: Definition): TaskTemplate | undefined {
    if (this.tasks.has(definition)) return this.tasks.get(definition);
    if (!this.incremental) return this.readTask(definition);
    const key = definitionKey(definition.module, definition.localName);
    const fingerprint = this.fingerprint(definition);
    const hit = this.incremental.cache.tasks.get(key);
    if (hit && hit.fingerprint === fingerprint) {
      this.diagnostics.push(...hit.diagnostics);
      this.tasks.set(definition, hit.template);
      return hit.template;
    }
    const mark = this.diagnostics.length;
    const template = this.readTask(definition);
    this.incremental.cache.tasks.set(key, { fingerprint, template, diagnostics: this.diagnostics.slice(mark) });
    return template;
  }

  private readTask(definition: Definition): TaskTemplate | undefined {
    const name = this.nameOf(definition, "task");
    const iface = this.interfaceOf(definition, "task");
    const { settings, diagnostics } = readTaskSettings(this.root, name, definition.call, definition.kind === "commandTask");
    this.diagnostics.push(...diagnostics);
    const site = definition.exportSite;
    if (!site) {
      this.diagnostics.push(
        diagnostic(
          Diagnostics.ConfigurationError,
          [`task '${name}' is not exported; export it so workers can load it`],
          locationOf(this.root, definition.declaration),
        ),
      );
    }
    const codeHash = site ? computeTaskCodeHash(this.sources, this.root, site.module, site.exportName) : "";
    const template = create(TaskTemplateSchema, {
      name,
      version: taskVersion(iface, codeHash),
      interface: iface,
      resources: settings.resources,
      retries: settings.retries,
      timeout: settings.timeout,
      cache: settings.cache,
      interruptible: settings.interruptible,
      runtime: settings.command
        ? { case: "command", value: settings.command }
        : {
            case: "node",
            value: create(NodeModuleRuntimeSchema, { module: site?.module ?? definition.module, exportName: site?.exportName ?? definition.localName }),
          },
      source: create(SourceLocationSchema, locationOf(this.root, definition.call)),
    });
    this.tasks.set(definition, template);
    return template;
  }

  workflow(definition: Definition): CompiledDefinition | undefined {
    if (this.workflows.has(definition)) return this.workflows.get(definition);
    if (this.inProgress.has(definition)) return undefined; // a cycle; the spec checks name it
    this.inProgress.add(definition);
    const tasks = new Set<Definition>();
    const subworkflows = new Set<Definition>();
    const usedKeys: Array<{ key: string; kind: Definition["kind"]; name: string | undefined }> = [];
    const use = (used: Definition) => {
      usedKeys.push({ key: definitionKey(used.module, used.localName), kind: used.kind, name: used.name });
      if (used.kind === "workflow") {
        subworkflows.add(used);
        const inner = this.workflow(used);
        return { name: inner?.template.name ?? used.name ?? used.localName, iface: inner?.template.interface ?? this.interfaceOf(used, "workflow") };
      }
      tasks.add(used);
      const template = this.task(used);
      return template?.interface ? { name: template.name, iface: template.interface } : undefined;
    };

    // Served from the cache: replay what reading it reported, in the same order, and use the same
    // definitions in the same order (so their own reports and first uses fall where they did).
    const key = definitionKey(definition.module, definition.localName);
    const fingerprint = this.incremental ? this.fingerprint(definition) : "";
    const hit = this.incremental?.cache.workflows.get(key);
    const usedNow = hit?.used.map((u) => this.byKey.get(u.key));
    const same = (d: Definition | undefined, i: number) => d !== undefined && d.kind === hit!.used[i].kind && d.name === hit!.used[i].name;
    if (hit?.fingerprint === fingerprint && usedNow?.every(same)) {
      this.diagnostics.push(...hit.before);
      for (const used of usedNow as Definition[]) use(used);
      this.diagnostics.push(...hit.body);
      this.noteCascades(hit.cascades);
      const compiled: CompiledDefinition = { template: hit.template, tasks, subworkflows };
      this.inProgress.delete(definition);
      this.workflows.set(definition, compiled);
      this.reused.add(definition);
      return compiled;
    }

    const mark = this.diagnostics.length;
    const name = this.nameOf(definition, "workflow");
    const iface = this.interfaceOf(definition, "workflow");
    const { settings, diagnostics } = readWorkflowSettings(this.root, name, definition.call, iface);
    this.diagnostics.push(...diagnostics);
    const before = this.diagnostics.slice(mark);
    const body = extractWorkflowBody(definition.call.getArguments()[1], {
      root: this.root,
      workflowName: name,
      iface,
      resolveCallee: (callee) => this.found.definitionOf(callee),
      use,
    });
    this.diagnostics.push(...body.diagnostics);
    this.noteCascades(body.cascades);
    const template = create(WorkflowTemplateSchema, {
      name,
      interface: iface,
      nodes: body.nodes,
      outputs: body.outputs,
      schedule: settings.schedule,
      maxParallelism: settings.maxParallelism,
      source: create(SourceLocationSchema, locationOf(this.root, definition.call)),
    });
    const compiled: CompiledDefinition = { template, tasks, subworkflows };
    this.inProgress.delete(definition);
    this.workflows.set(definition, compiled);
    if (this.incremental) {
      this.incremental.cache.workflows.set(key, { fingerprint, template, before, used: usedKeys, body: body.diagnostics, cascades: body.cascades });
      this.reused.add(definition);
    }
    return compiled;
  }
}

function cascadeKey(workflow: string, node: string | undefined, path: string): string {
  return `${workflow}\0${node ?? ""}\0${path}`;
}

function locationKey(l: { file: string; line: number; column: number }): string {
  return `${l.file}:${l.line}:${l.column}`;
}

function sameObjects(a: readonly object[], b: readonly object[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// The spec checks never read a template's version (a task's moves with its code), so templates equal
// but for it are checked alike: an edit of a task's body does not re-check the workflows that use it.
// A versioned workflow template is a shallow copy (withVersion); a task read again is a new message.
function sameButVersions(a: readonly object[], b: readonly object[]): boolean {
  const same = (x: object, y: object): boolean => {
    if (x === y) return true;
    const [p, q] = [x as Record<string, unknown>, y as Record<string, unknown>];
    if (p.$typeName !== q.$typeName) return false;
    if (p.$typeName === TaskTemplateSchema.typeName) {
      const [t, u] = [x as TaskTemplate, y as TaskTemplate];
      return equals(TaskTemplateSchema, t, { ...u, version: t.version });
    }
    const keys = Object.keys(p);
    return keys.length === Object.keys(q).length && keys.every((k) => k === "version" || p[k] === q[k]);
  };
  return a.length === b.length && a.every((x, i) => same(x, b[i]));
}

function duplicateNames(root: string, workflows: readonly Definition[]): Diagnostic[] {
  const byName = new Map<string, Definition[]>();
  for (const w of workflows) if (w.name !== undefined) byName.set(w.name, [...(byName.get(w.name) ?? []), w]);
  const found: Diagnostic[] = [];
  for (const [name, defs] of byName) {
    if (defs.length < 2) continue;
    const places = defs.map((d) => {
      const l = locationOf(root, d.call);
      return `${l.file}:${l.line}`;
    });
    for (const d of defs.slice(1)) found.push(diagnostic(Diagnostics.DuplicateWorkflowName, [name, places.join(", ")], locationOf(root, d.call)));
  }
  return found;
}

// Where weir reports an edge or binding error precisely, tsc's generic assignability error on the
// same line says the same thing less well; keep weir's.
function withoutShadowedTsc(diagnostics: Diagnostic[]): Diagnostic[] {
  const precise = new Set(
    diagnostics.filter((d) => d.code !== "WEIR9001" && d.category === "error" && d.location).map((d) => `${d.location!.file}:${d.location!.line}`),
  );
  return diagnostics.filter((d) => d.code !== "WEIR9001" || !d.location || !precise.has(`${d.location.file}:${d.location.line}`));
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = JSON.stringify([d.code, d.message, d.location]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
