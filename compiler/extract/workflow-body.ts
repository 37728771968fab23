// Reads a workflow body statically (AST + type checker) and builds its graph: task calls become
// nodes, the values passed to them become bindings, `map` / `when` / `sensor.file` / subworkflow
// calls become their node kinds, and the returned object binds the workflow's outputs. Anything a
// static reading cannot follow (loops, `await`, `if` on a value, I/O) is reported with the weir
// way to express it. The body is never run.
import { create } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { Node, SyntaxKind, ts } from "ts-morph";
import type { ArrowFunction, CallExpression, Expression, FunctionExpression, ObjectLiteralExpression, Statement } from "ts-morph";
import {
  BindingSchema,
  BindingValueSchema,
  BooleanExpression_Conjunction,
  BooleanExpressionSchema,
  BranchCaseSchema,
  Comparison_Operator,
  LiteralTypeSchema,
  NodeSchema,
  SimpleType,
  SourceLocationSchema,
  TemplatePartSchema,
  TypedInterfaceSchema,
  VariableSchema,
  WorkflowTemplateSchema,
} from "../../proto/index.ts";
import type {
  Binding,
  BindingValue,
  BooleanExpression,
  BranchCase,
  LiteralType,
  Node as SpecNode,
  SourceLocation,
  TemplatePart,
  TypedInterface,
} from "../../proto/index.ts";
import { Diagnostics, diagnostic, joinTypes, parseDuration, sensorFileType, walkWorkflow } from "../../core/index.ts";
import type { Diagnostic } from "../../core/index.ts";
import type { Definition } from "../discover.ts";
import { checkerOf, symbolAt, wrapperOf } from "../compiler-symbols.ts";
import { simpleType } from "../interface.ts";
import { lineAndColumn, locationOf } from "../location.ts";
import { sdkFunctionOf } from "../sdk-calls.ts";
import type { SdkFunction } from "../sdk-calls.ts";
import { isLiteralExpression, literalOf } from "./literals.ts";
import { NodeIds } from "./node-ids.ts";
import type { ConditionValue, InputsValue, NodeValue, RefValue, ScopeValue } from "./scope-values.ts";

/** What the extractor needs from the compilation around it. */
export interface BodyContext {
  readonly root: string;
  readonly workflowName: string;
  readonly iface: TypedInterface;
  /** The task or workflow a callee resolves to. */
  resolveCallee(callee: Node): Definition | undefined;
  /** The name and interface of a task or workflow the body calls (and records it as used). */
  use(definition: Definition): { name: string; iface: TypedInterface } | undefined;
}

export interface ExtractedBody {
  readonly nodes: SpecNode[];
  readonly outputs: Binding[];
  readonly diagnostics: Diagnostic[];
  /** Node inputs and workflow outputs left unbound because reading their value already failed. */
  readonly cascades: BodyCascade[];
}

/** A variable a spec check would report unbound only because of an error already reported. */
export interface BodyCascade {
  readonly workflow: string;
  /** The node whose input it is; absent for a workflow output. */
  readonly node?: string;
  /** "inputs.<name>" or "outputs.<name>", as the spec checks' diagnostics name it. */
  readonly path: string;
}

// How to say in weir what a body tried to do, by construct.
const HINTS = Object.freeze({
  loop: "to run a task once per item, use map(task, listRef)",
  branch: "to choose between tasks on a value, use when(ref.gt(x)).then(() => ...).otherwise(() => ...)",
  await: "a workflow body only wires tasks together; move the awaited work into a task",
  call: "a workflow body only wires tasks together and is never run; move this call into a task",
  mutable: "declare values with const",
  operator: "values are only known at run time; compute it in a task (or build a string with a template literal)",
  statement: "a workflow body may only hold const declarations, task calls and a return",
  wholeNode: "pass one output of the node (e.g. result.table), or use .after(node) for an ordering-only dependency",
  notValue: "only refs, workflow inputs, literals and module-level constants can be used in a workflow body",
});

const COMPARISONS: Readonly<Partial<Record<SdkFunction, Comparison_Operator>>> = Object.freeze({
  eq: Comparison_Operator.EQ,
  ne: Comparison_Operator.NE,
  gt: Comparison_Operator.GT,
  gte: Comparison_Operator.GTE,
  lt: Comparison_Operator.LT,
  lte: Comparison_Operator.LTE,
});

export function extractWorkflowBody(body: Node | undefined, ctx: BodyContext): ExtractedBody {
  const extractor = new BodyExtractor(ctx);
  return extractor.run(body);
}

// The parts of a ts.VariableStatement plainStatement reads. (Naming ts.VariableStatement itself here
// tips the type-check of test/ts-plugin/editor-session.test.ts, which compares typescript's Program
// with ts-morph's, over TypeScript's depth limit.)
interface PlainVariableStatement {
  readonly declarationList: {
    readonly flags: number;
    readonly declarations: ReadonlyArray<ts.Node & { readonly name: ts.Node; readonly initializer?: ts.Node }>;
  };
}

/** A `name: value` property read on the compiler's nodes. */
interface PlainProperty {
  readonly name: string;
  readonly expr: ts.Node;
  readonly value: RefValue;
}

class Unsupported extends Error {
  constructor(
    readonly node: Node,
    readonly what: string,
    readonly hint: string,
  ) {
    super(what);
  }
}

/** A value that depends on one already reported unsupported: dropped without a second report. */
class Cascade extends Error {}

class BodyExtractor {
  // Keyed by the compiler's declaration nodes, as the checker's symbols name them.
  private readonly scope = new Map<ts.Node, ScopeValue>();
  private readonly ids = new NodeIds();
  private readonly byId = new Map<string, SpecNode>();
  private nodes: SpecNode[] = [];
  private readonly diagnostics: Diagnostic[] = [];
  private readonly cascades: BodyCascade[] = [];
  // Names whose initializer was reported unsupported: reading them is a cascade, not a new error.
  private readonly unresolved = new Set<ts.Node>();
  // An async body is reported once, at `async`; the awaits in it are that same mistake.
  private asyncReported = false;
  // The body's type checker, asked directly on the per-identifier path.
  private checker!: ts.TypeChecker;
  private file: string | undefined;

  constructor(private readonly ctx: BodyContext) {}

  run(body: Node | undefined): ExtractedBody {
    if (!body || !(Node.isArrowFunction(body) || Node.isFunctionExpression(body))) {
      if (body) this.report(new Unsupported(body, shortText(body), "pass the body inline: workflow({...}, (inputs) => { ... })"));
      return { nodes: [], outputs: [], diagnostics: this.diagnostics, cascades: this.cascades };
    }
    this.checker = checkerOf(body);
    const asyncKeyword = body.getModifiers().find((m) => m.getKind() === SyntaxKind.AsyncKeyword);
    if (asyncKeyword) {
      this.report(new Unsupported(asyncKeyword, "async", HINTS.await));
      this.asyncReported = true;
    }
    this.bindParameter(body);
    const returned = this.functionBody(body);
    const dropped: string[] = [];
    const outputs = returned ? this.objectBindings(returned, (name) => findVar(this.ctx.iface.outputs, name), [], dropped) : [];
    for (const name of dropped) this.cascades.push({ workflow: this.ctx.workflowName, path: `outputs.${name}` });
    for (const node of this.byId.values()) node.upstream = [...new Set(node.upstream)].sort();
    return { nodes: this.nodes, outputs, diagnostics: this.diagnostics, cascades: this.cascades };
  }

  // ---- statements -------------------------------------------------------------------------

  private bindParameter(fn: ArrowFunction | FunctionExpression): void {
    const param = fn.getParameters()[0];
    if (!param) return;
    const name = param.getNameNode();
    if (Node.isIdentifier(name)) {
      this.scope.set(param.compilerNode, { kind: "inputs" });
      return;
    }
    if (Node.isObjectBindingPattern(name)) {
      for (const element of name.getElements()) {
        const key = element.getPropertyNameNode()?.getText() ?? element.getName();
        this.scope.set(element.compilerNode, this.workflowInput(key));
      }
      return;
    }
    this.report(new Unsupported(param, param.getText(), "name the inputs parameter or destructure it: ({ day }) => ..."));
  }

  /** Runs the statements of a body or arm and returns the returned object literal, if any. */
  private functionBody(fn: ArrowFunction | FunctionExpression): ObjectLiteralExpression | undefined {
    const body = fn.getBody();
    if (!Node.isBlock(body)) return this.returnedObject(body as Expression);
    let returned: ObjectLiteralExpression | undefined;
    for (const compilerStatement of body.compilerNode.statements) {
      try {
        if (this.plainStatement(compilerStatement, body)) continue;
        const result = this.statement(wrapperOf(body, compilerStatement) as Statement);
        if (result) returned = result;
      } catch (error) {
        if (error instanceof Cascade) continue;
        if (!(error instanceof Unsupported)) throw error;
        this.report(error);
      }
    }
    return returned;
  }

  // The common statement, `const n3 = train({ x: n1.y })`, read on the compiler's nodes (see
  // plainBindings); false, having done nothing, for anything the general path has to read.
  private plainStatement(statement: ts.Node, near: Node): boolean {
    if (statement.kind !== SyntaxKind.VariableStatement) return false;
    const list = (statement as unknown as PlainVariableStatement).declarationList;
    if ((list.flags & ts.NodeFlags.BlockScoped) !== ts.NodeFlags.Const || list.declarations.length !== 1) return false;
    const declaration = list.declarations[0];
    const call = declaration.initializer as ts.CallExpression | undefined;
    if (declaration.name.kind !== SyntaxKind.Identifier || call?.kind !== SyntaxKind.CallExpression) return false;
    const arg = call.arguments[0] as ts.ObjectLiteralExpression | undefined;
    if (arg?.kind !== SyntaxKind.ObjectLiteralExpression) return false;
    const file = near.getSourceFile().compilerNode;
    const read = this.plainRead(arg, file);
    if (!read) return false;
    const definition = this.ctx.resolveCallee(wrapperOf(near, call.expression));
    if (!definition) return false;
    // From here on, what invoke() does for this call.
    const used = this.ctx.use(definition);
    const name = used?.name ?? definition.name ?? definition.localName;
    const deps: string[] = [];
    const inputs = this.plainCommit(read, near, file, deps);
    const node = this.addNode({
      id: this.ids.next(name),
      target: definition.kind === "workflow" ? { case: "subworkflow", value: name } : { case: "task", value: name },
      inputs,
      upstream: deps,
      source: create(SourceLocationSchema, { file: this.fileOf(near), ...lineAndColumn(file, call.getStart(file)) }),
    });
    this.scope.set(declaration as ts.Node, this.nodeValue(node.id, used?.iface.outputs ?? []));
    return true;
  }

  private statement(statement: Statement): ObjectLiteralExpression | undefined {
    if (Node.isVariableStatement(statement)) {
      if (statement.getDeclarationKind() !== "const") {
        throw new Unsupported(statement, `${statement.getDeclarationKind()} declaration`, HINTS.mutable);
      }
      for (const declaration of statement.getDeclarations()) {
        const init = declaration.getInitializer();
        if (!init) throw new Unsupported(declaration, declaration.getText(), HINTS.mutable);
        const name = declaration.getNameNode();
        let value: ScopeValue;
        try {
          value = this.evaluate(init);
        } catch (error) {
          // One mistake, one error: what the names stand for is unknown, so later reads are silent.
          if (!(error instanceof Unsupported || error instanceof Cascade)) throw error;
          this.unresolved.add(declaration.compilerNode);
          if (Node.isObjectBindingPattern(name)) for (const element of name.getElements()) this.unresolved.add(element.compilerNode);
          throw error;
        }
        if (Node.isIdentifier(name)) {
          this.scope.set(declaration.compilerNode, value);
        } else if (Node.isObjectBindingPattern(name)) {
          for (const element of name.getElements()) {
            const key = element.getPropertyNameNode()?.getText() ?? element.getName();
            this.scope.set(element.compilerNode, this.member(value, key, element));
          }
        } else {
          throw new Unsupported(name, "array destructuring", "destructure node outputs by name: const { table } = task({...})");
        }
      }
      return undefined;
    }
    if (Node.isExpressionStatement(statement)) {
      this.evaluate(statement.getExpression());
      return undefined;
    }
    if (Node.isReturnStatement(statement)) {
      const expr = statement.getExpression();
      return expr ? this.returnedObject(expr) : undefined;
    }
    if (Node.isEmptyStatement(statement)) return undefined;
    const kind = statement.getKind();
    if (
      kind === SyntaxKind.ForStatement ||
      kind === SyntaxKind.ForOfStatement ||
      kind === SyntaxKind.ForInStatement ||
      kind === SyntaxKind.WhileStatement ||
      kind === SyntaxKind.DoStatement
    ) {
      throw new Unsupported(statement, keywordOf(statement), HINTS.loop);
    }
    if (kind === SyntaxKind.IfStatement || kind === SyntaxKind.SwitchStatement) {
      throw new Unsupported(statement, keywordOf(statement), HINTS.branch);
    }
    throw new Unsupported(statement, keywordOf(statement), HINTS.statement);
  }

  /** An arm's result: the returned object literal, or the node a bare call expression returns. */
  private armBody(fn: ArrowFunction | FunctionExpression): ObjectLiteralExpression | NodeValue | undefined {
    const body = fn.getBody();
    if (Node.isBlock(body)) return this.functionBody(fn);
    const inner = unwrap(body);
    if (Node.isObjectLiteralExpression(inner)) return inner;
    const value = this.evaluate(inner);
    if (value.kind === "node") return value;
    throw new Unsupported(inner, shortText(inner), "return an object literal from the arm: () => ({ model: train({...}).model })");
  }

  private returnedObject(expr: Expression): ObjectLiteralExpression {
    const inner = unwrap(expr);
    if (Node.isObjectLiteralExpression(inner)) return inner;
    throw new Unsupported(expr, shortText(expr), "return an object literal that binds each output: return { model: train.model }");
  }

  // ---- expressions ------------------------------------------------------------------------

  private evaluate(expr: Node): ScopeValue {
    const node = unwrap(expr);
    if (Node.isIdentifier(node)) return this.identifier(node);
    if (Node.isTemplateExpression(node)) return this.template(node);
    if (isLiteralExpression(node)) return { kind: "literal", expr: node as Expression };
    if (Node.isPropertyAccessExpression(node)) return this.member(this.evaluate(node.getExpression()), node.getName(), node);
    if (Node.isElementAccessExpression(node)) {
      const arg = node.getArgumentExpression();
      if (arg && (Node.isStringLiteral(arg) || Node.isNoSubstitutionTemplateLiteral(arg))) {
        return this.member(this.evaluate(node.getExpression()), arg.getLiteralValue(), node);
      }
      throw new Unsupported(node, shortText(node), HINTS.operator);
    }
    if (Node.isCallExpression(node)) return this.call(node);
    if (Node.isAwaitExpression(node)) {
      // Reported (unless the body's `async` was), then read through: what was awaited is still the
      // node the user meant to wire.
      if (!this.asyncReported) this.report(new Unsupported(node, "await", HINTS.await));
      return this.evaluate(node.getExpression());
    }
    if (Node.isConditionalExpression(node)) throw new Unsupported(node, shortText(node), HINTS.branch);
    if (Node.isNewExpression(node)) throw new Unsupported(node, shortText(node), HINTS.call);
    throw new Unsupported(node, shortText(node), HINTS.operator);
  }

  private identifier(id: Node): ScopeValue {
    // `{ accuracy }`: the name node's own symbol is the property; the value is the variable.
    const node = id.compilerNode;
    const parent = node.parent;
    const symbol = parent && ts.isShorthandPropertyAssignment(parent) ? this.checker.getShorthandAssignmentValueSymbol(parent) : symbolAt(this.checker, node);
    const declaration = symbol?.declarations?.[0];
    const known = declaration ? this.scope.get(declaration) : undefined;
    if (known) return known;
    if (declaration && this.unresolved.has(declaration)) throw new Cascade();
    if (isLiteralExpression(id)) return { kind: "literal", expr: id as Expression };
    throw new Unsupported(id, id.getText(), HINTS.notValue);
  }

  private member(value: ScopeValue, name: string, at: Node): ScopeValue {
    if (value.kind === "inputs" || value.kind === "node") return this.outputOf(value, name);
    if (value.kind === "ref") throw new Unsupported(at, shortText(at), `read a struct field with .get("${name}")`);
    throw new Unsupported(at, shortText(at), HINTS.notValue);
  }

  /** A workflow input, or an output of a node. */
  private outputOf(value: InputsValue | NodeValue, name: string): RefValue {
    if (value.kind === "inputs") return this.workflowInput(name);
    return {
      kind: "ref",
      value: create(BindingValueSchema, { value: { case: "ref", value: { nodeId: value.nodeId, output: name, attrPath: [] } } }),
      type: value.outputs.get(name),
      deps: [value.nodeId],
    };
  }

  private workflowInput(name: string): RefValue {
    return {
      kind: "ref",
      value: create(BindingValueSchema, { value: { case: "workflowInput", value: name } }),
      type: findVar(this.ctx.iface.inputs, name),
      deps: [],
    };
  }

  private template(node: Node): RefValue {
    if (!Node.isTemplateExpression(node)) throw new Unsupported(node, shortText(node), HINTS.operator);
    const parts: TemplatePart[] = [];
    const deps: string[] = [];
    const text = (value: string) => {
      if (value !== "") parts.push(create(TemplatePartSchema, { part: { case: "text", value } }));
    };
    text(node.getHead().getLiteralText());
    for (const span of node.getTemplateSpans()) {
      const value = this.evaluate(span.getExpression());
      if (value.kind === "ref") {
        const v = value.value.value;
        if (v.case === "ref") parts.push(create(TemplatePartSchema, { part: { case: "ref", value: v.value } }));
        else if (v.case === "workflowInput") parts.push(create(TemplatePartSchema, { part: { case: "workflowInput", value: v.value } }));
        else throw new Unsupported(span.getExpression(), shortText(span.getExpression()), "nest templates by writing one template literal");
        deps.push(...value.deps);
      } else if (value.kind === "literal") {
        const literal = literalOf(value.expr, undefined);
        const scalar = literal.ok && literal.literal.value.case === "scalar" ? literal.literal.value.value.value : undefined;
        if (!scalar || scalar.value === undefined) throw new Unsupported(span.getExpression(), shortText(span.getExpression()), HINTS.notValue);
        text(String(scalar.value));
      } else {
        throw new Unsupported(span.getExpression(), shortText(span.getExpression()), HINTS.wholeNode);
      }
      text(span.getLiteral().getLiteralText());
    }
    return {
      kind: "ref",
      value: create(BindingValueSchema, { value: { case: "template", value: { parts } } }),
      type: simpleType(SimpleType.STRING),
      deps,
    };
  }

  // ---- calls ------------------------------------------------------------------------------

  private call(call: CallExpression): ScopeValue {
    const definition = this.ctx.resolveCallee(call.getExpression());
    if (definition) return this.invoke(definition, call);
    const fn = sdkFunctionOf(call);
    switch (fn) {
      case "after":
        return this.after(call);
      case "get":
        return this.get(call);
      case "map":
        return this.map(call);
      case "when":
      case "then":
      case "elif":
      case "otherwise":
        return this.branch(call);
      case "sensor.file":
        return this.sensor(call);
      case "and":
      case "or":
      case "not":
      case "isTrue":
      case "isFalse":
      case "eq":
      case "ne":
      case "gt":
      case "gte":
      case "lt":
      case "lte":
        return this.condition(call, fn);
      case "task":
      case "task.command":
      case "workflow":
        throw new Unsupported(call, `${fn}(...)`, "declare tasks and workflows at the top level of a module and export them");
      default:
        throw new Unsupported(call, `${shortText(call.getExpression())}(...)`, HINTS.call);
    }
  }

  private invoke(definition: Definition, call: CallExpression): NodeValue {
    const used = this.ctx.use(definition);
    const name = used?.name ?? definition.name ?? definition.localName;
    const iface = used?.iface;
    const arg = call.getArguments()[0];
    const deps: string[] = [];
    const dropped: string[] = [];
    let inputs: Binding[] = [];
    if (arg) {
      const object = unwrap(arg);
      if (!Node.isObjectLiteralExpression(object)) {
        throw new Unsupported(arg, shortText(arg), `pass the inputs as an object literal: ${name}({ input: value })`);
      }
      inputs = this.objectBindings(object, (v) => findVar(iface?.inputs ?? [], v), deps, dropped);
    }
    const id = this.ids.next(name);
    for (const input of dropped) this.cascades.push({ workflow: this.ctx.workflowName, node: id, path: `inputs.${input}` });
    const node = this.addNode({
      id,
      target: definition.kind === "workflow" ? { case: "subworkflow", value: name } : { case: "task", value: name },
      inputs,
      upstream: deps,
      source: this.location(call),
    });
    return this.nodeValue(node.id, iface?.outputs ?? []);
  }

  private after(call: CallExpression): ScopeValue {
    const callee = call.getExpression();
    if (!Node.isPropertyAccessExpression(callee)) throw new Unsupported(call, shortText(call), HINTS.statement);
    const target = this.evaluate(callee.getExpression());
    if (target.kind !== "node") throw new Unsupported(callee.getExpression(), shortText(callee.getExpression()), "call .after(...) on a task call's result");
    const node = this.byId.get(target.nodeId);
    for (const arg of call.getArguments()) {
      const up = this.evaluate(arg);
      if (up.kind === "node") node?.upstream.push(up.nodeId);
      else if (up.kind === "ref") node?.upstream.push(...up.deps);
      else throw new Unsupported(arg, shortText(arg), "pass task call results (or their outputs) to .after(...)");
    }
    return target;
  }

  private get(call: CallExpression): RefValue {
    const callee = call.getExpression() as Node;
    const base = Node.isPropertyAccessExpression(callee) ? this.evaluate(callee.getExpression()) : undefined;
    const field = unwrap(call.getArguments()[0] ?? call);
    if (base?.kind !== "ref" || base.value.value.case !== "ref") {
      throw new Unsupported(call, shortText(call), "read struct fields of a task output; pass a whole workflow input to a task instead");
    }
    if (!Node.isStringLiteral(field) && !Node.isNoSubstitutionTemplateLiteral(field)) {
      throw new Unsupported(field, shortText(field), 'name the field with a string literal: .get("accuracy")');
    }
    const ref = base.value.value.value;
    const name = field.getLiteralValue();
    const struct = base.type?.type.case === "struct" ? base.type.type.value : undefined;
    return {
      kind: "ref",
      value: create(BindingValueSchema, { value: { case: "ref", value: { ...ref, attrPath: [...ref.attrPath, name] } } }),
      type: struct?.fields.find((f) => f.name === name)?.type,
      deps: base.deps,
    };
  }

  private map(call: CallExpression): NodeValue {
    const [targetArg, itemsArg, fixedArg] = call.getArguments();
    const definition = targetArg ? this.ctx.resolveCallee(targetArg) : undefined;
    if (!definition || definition.kind === "workflow") {
      throw new Unsupported(targetArg ?? call, shortText(targetArg ?? call), "map over a task declared with task() or task.command()");
    }
    const used = this.ctx.use(definition);
    const name = used?.name ?? definition.name ?? definition.localName;
    const inputs = used?.iface.inputs ?? [];
    const deps: string[] = [];
    const dropped: string[] = [];
    let fixed: Binding[] = [];
    if (fixedArg) {
      const object = unwrap(fixedArg);
      if (!Node.isObjectLiteralExpression(object)) throw new Unsupported(fixedArg, shortText(fixedArg), "pass the fixed inputs as an object literal");
      fixed = this.objectBindings(object, (v) => findVar(inputs, v), deps, dropped);
    }
    // A fixed input whose value was already reported is not the mapped one.
    const free = inputs.filter((v) => !fixed.some((b) => b.var === v.name) && !dropped.includes(v.name) && v.type?.type.case !== "optional");
    if (free.length !== 1 || !itemsArg) {
      const what = free.length === 0 ? "every input is fixed" : `inputs ${free.map((v) => `'${v.name}'`).join(", ")} are unbound`;
      throw new Unsupported(call, `map(${name}, ...)`, `${what}; bind all inputs but the mapped one in map's third argument`);
    }
    const mapped = free[0];
    const item = mapped.type;
    const listType = item ? create(LiteralTypeSchema, { type: { case: "collection", value: { item } } }) : undefined;
    const binding = this.binding(mapped.name, itemsArg, listType, deps);
    const id = this.ids.next(name);
    for (const input of dropped) this.cascades.push({ workflow: this.ctx.workflowName, node: id, path: `inputs.${input}` });
    const node = this.addNode({
      id,
      target: { case: "map", value: { task: name, mappedInput: mapped.name, concurrency: 0 } },
      inputs: [...fixed, binding].sort(byVar),
      upstream: deps,
      source: this.location(call),
    });
    const outputs = (used?.iface.outputs ?? []).map((v) =>
      create(VariableSchema, { name: v.name, type: v.type ? create(LiteralTypeSchema, { type: { case: "collection", value: { item: v.type } } }) : undefined }),
    );
    return this.nodeValue(node.id, outputs);
  }

  private sensor(call: CallExpression): NodeValue {
    const [pathArg, optionsArg] = call.getArguments();
    const deps: string[] = [];
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the hint shows the user a template literal to write.
    if (!pathArg) throw new Unsupported(call, shortText(call), "give the path: sensor.file(`data/${day}/data.csv`)");
    const path = this.binding("path", pathArg, simpleType(SimpleType.STRING), deps);
    const options = optionsArg ? unwrap(optionsArg) : undefined;
    if (options && !Node.isObjectLiteralExpression(options)) throw new Unsupported(optionsArg, shortText(optionsArg), "pass the options as an object literal");
    const duration = (key: string) => {
      const property = options && Node.isObjectLiteralExpression(options) ? options.getProperty(key) : undefined;
      if (!property) return undefined;
      const init = Node.isPropertyAssignment(property) ? property.getInitializer() : undefined;
      const text = init?.getType().getLiteralValue();
      if (typeof text !== "string") throw new Unsupported(property, property.getText(), `give ${key} as a duration string literal, e.g. "30s"`);
      try {
        return durationFromMs(parseDuration(text));
      } catch (error) {
        throw new Unsupported(property, property.getText(), (error as Error).message.replace(/^weir: /, ""));
      }
    };
    const node = this.addNode({
      id: this.ids.next("sensor"),
      target: { case: "sensor", value: { sensor: { case: "file", value: { pokeInterval: duration("pokeInterval"), timeout: duration("timeout") } } } },
      inputs: [path],
      upstream: deps,
      source: this.location(call),
    });
    return this.nodeValue(node.id, [create(VariableSchema, { name: "file", type: sensorFileType(node) })]);
  }

  // `when(c).then(f).elif(c2, f2).otherwise(f3)`: read the chain from its last call back to `when`.
  private branch(last: CallExpression): NodeValue {
    const arms: Array<{ condition?: Node; fn?: Node; call: CallExpression; otherwise: boolean }> = [];
    let whenCall: CallExpression | undefined;
    for (let current: Node | undefined = last; current && Node.isCallExpression(current); ) {
      const fn = sdkFunctionOf(current);
      const args = current.getArguments();
      if (fn === "when") {
        whenCall = current;
        break;
      }
      const callee = current.getExpression();
      if (!Node.isPropertyAccessExpression(callee)) break;
      if (fn === "otherwise") arms.unshift({ fn: args[0], call: current, otherwise: true });
      else if (fn === "elif") arms.unshift({ condition: args[0], fn: args[1], call: current, otherwise: false });
      else if (fn === "then") arms.unshift({ fn: args[0], call: current, otherwise: false });
      else break;
      current = callee.getExpression();
    }
    if (!whenCall || arms.length === 0 || arms[0].condition !== undefined || arms[0].otherwise) {
      throw new Unsupported(last, shortText(last), "write the conditional as one chain: when(cond).then(() => ...).otherwise(() => ...)");
    }
    arms[0].condition = whenCall.getArguments()[0];

    const id = this.ids.next("branch");
    const outer = this.nodes;
    const deps: string[] = [];
    const inside = new Set<string>();
    const cases: BranchCase[] = [];
    let otherwise: BranchCase | undefined;
    const armOutputs: Array<Map<string, RefValue>> = [];
    for (const arm of arms) {
      let condition: BooleanExpression | undefined;
      if (!arm.otherwise) {
        if (!arm.condition) throw new Unsupported(arm.call, shortText(arm.call), "give the condition: when(ref.gt(0.9))");
        const cond = this.evaluate(arm.condition);
        if (cond.kind !== "condition") {
          throw new Unsupported(arm.condition, shortText(arm.condition), "build conditions with ref.eq/gt/lt(...), ref.isTrue(), and(), or(), not()");
        }
        condition = cond.expr;
        deps.push(...cond.deps);
      }
      const fn = arm.fn ? unwrap(arm.fn) : undefined;
      if (!fn || !(Node.isArrowFunction(fn) || Node.isFunctionExpression(fn)) || fn.getParameters().length > 0) {
        throw new Unsupported(
          arm.fn ?? arm.call,
          shortText(arm.fn ?? arm.call),
          "give each arm as a function without parameters: () => ({ model: train({...}).model })",
        );
      }
      this.nodes = [];
      let returned: ObjectLiteralExpression | NodeValue | undefined;
      let nodes: SpecNode[];
      try {
        returned = this.armBody(fn);
      } finally {
        nodes = this.nodes;
        this.nodes = outer;
      }
      for (const n of nodes) collectIds(n, inside);
      const values = new Map<string, RefValue>();
      const outputs: Binding[] = [];
      if (returned && !Node.isNode(returned)) {
        // An arm that returns a call's result (`() => deploy({...})`) exposes all of its outputs.
        for (const [name, type] of returned.outputs) {
          const value = this.member(returned, name, fn) as RefValue;
          values.set(name, { ...value, type });
          outputs.push(create(BindingSchema, { var: name, value: value.value, source: this.location(fn.getBody()) }));
        }
      }
      for (const property of returned && Node.isNode(returned) ? returned.getProperties() : []) {
        const name = propertyKey(property);
        if (name === undefined || name === "after") continue;
        const valueExpr = Node.isPropertyAssignment(property)
          ? property.getInitializerOrThrow()
          : Node.isShorthandPropertyAssignment(property)
            ? property.getNameNode()
            : undefined;
        if (!valueExpr) throw new Unsupported(property, shortText(property), "bind each branch output with name: value");
        const value = this.evaluate(valueExpr);
        if (value.kind !== "ref") throw new Unsupported(valueExpr, shortText(valueExpr), "a branch output must be a task output or workflow input");
        values.set(name, value);
        deps.push(...value.deps);
        outputs.push(create(BindingSchema, { var: name, value: value.value, source: this.location(valueExpr) }));
      }
      for (const n of nodes) deps.push(...n.upstream);
      armOutputs.push(values);
      const armCase = create(BranchCaseSchema, { condition, nodes, outputs: outputs.sort(byVar) });
      if (arm.otherwise) otherwise = armCase;
      else cases.push(armCase);
    }
    // The branch exposes the outputs every arm binds (what the SDK's types allow downstream), each
    // typed by the join of what its arms give (the editor's union of the arms' types).
    const names = [...armOutputs[0].keys()].filter((k) => armOutputs.every((m) => m.has(k))).sort();
    const outputVars = names.map((name) => create(VariableSchema, { name, type: joinTypes(armOutputs.map((m) => m.get(name)?.type)) }));
    const node = this.addNode({
      id,
      target: { case: "branch", value: { cases, otherwise, interface: create(TypedInterfaceSchema, { inputs: [], outputs: outputVars }) } },
      inputs: [],
      upstream: deps.filter((d) => !inside.has(d)),
      source: this.location(whenCall),
    });
    return this.nodeValue(node.id, outputVars);
  }

  private condition(call: CallExpression, fn: SdkFunction): ConditionValue {
    const args = call.getArguments();
    if (fn === "and" || fn === "or" || fn === "not") {
      const operands = args.map((a) => {
        const value = this.evaluate(a);
        if (value.kind !== "condition") throw new Unsupported(a, shortText(a), `${fn}() takes conditions such as ref.gt(0.9)`);
        return value;
      });
      const deps = operands.flatMap((o) => o.deps);
      if (fn === "not") {
        if (operands.length !== 1) throw new Unsupported(call, shortText(call), "not() takes one condition");
        return { kind: "condition", expr: create(BooleanExpressionSchema, { expr: { case: "not", value: operands[0].expr } }), deps };
      }
      if (operands.length !== 2) throw new Unsupported(call, shortText(call), `${fn}() takes two conditions; nest them for more`);
      const conjunction = fn === "and" ? BooleanExpression_Conjunction.AND : BooleanExpression_Conjunction.OR;
      return {
        kind: "condition",
        expr: create(BooleanExpressionSchema, { expr: { case: "compound", value: { conjunction, left: operands[0].expr, right: operands[1].expr } } }),
        deps,
      };
    }
    const callee = call.getExpression();
    const left = Node.isPropertyAccessExpression(callee) ? this.evaluate(callee.getExpression()) : undefined;
    if (left?.kind !== "ref") throw new Unsupported(call, shortText(call), "compare a task output or workflow input");
    let operator = COMPARISONS[fn];
    let right: BindingValue;
    const deps = [...left.deps];
    if (fn === "isTrue" || fn === "isFalse") {
      operator = Comparison_Operator.EQ;
      right = create(BindingValueSchema, {
        value: { case: "literal", value: { value: { case: "scalar", value: { value: { case: "boolean", value: fn === "isTrue" } } } } },
      });
    } else {
      const arg = args[0];
      if (!arg) throw new Unsupported(call, shortText(call), `give the value to compare with: ref.${fn}(0.9)`);
      right = this.bindingValue(arg, left.type, deps);
    }
    return {
      kind: "condition",
      expr: create(BooleanExpressionSchema, { expr: { case: "comparison", value: { operator, left: left.value, right } } }),
      deps,
    };
  }

  // ---- bindings ---------------------------------------------------------------------------

  /** The object's bindings; the name of each whose value could not be read goes to `dropped`. */
  private objectBindings(
    object: ObjectLiteralExpression,
    typeOf: (name: string) => LiteralType | undefined,
    deps: string[] = [],
    dropped: string[] = [],
  ): Binding[] {
    const plain = this.plainBindings(object, deps);
    if (plain) return plain;
    const bindings: Binding[] = [];
    for (const property of object.getProperties()) {
      const name = propertyKey(property);
      try {
        if (name === undefined) throw new Unsupported(property, shortText(property), "bind each input with name: value (no spreads or computed names)");
        const valueExpr = Node.isPropertyAssignment(property)
          ? property.getInitializerOrThrow()
          : Node.isShorthandPropertyAssignment(property)
            ? property.getNameNode()
            : undefined;
        if (!valueExpr) throw new Unsupported(property, shortText(property), "bind each input with name: value");
        bindings.push(this.binding(name, valueExpr, typeOf(name), deps));
      } catch (error) {
        if (name !== undefined) dropped.push(name);
        if (error instanceof Cascade) continue;
        if (!(error instanceof Unsupported)) throw error;
        this.report(error);
      }
    }
    return bindings.sort(byVar);
  }

  // The common object, `{ x: n3.y, table: inputs.table }`, read on the compiler's nodes: a big body
  // holds thousands, and a ts-morph wrapper per node was most of its cost. Anything else (another
  // kind of value, a name not in scope, anything to report) is left to the general path above.
  private plainBindings(object: ObjectLiteralExpression, deps: string[]): Binding[] | undefined {
    const file = object.getSourceFile().compilerNode;
    const read = this.plainRead(object.compilerNode, file);
    return read && this.plainCommit(read, object, file, deps);
  }

  /** Each property's name, value expression and value; undefined when one is not plain. */
  private plainRead(object: ts.ObjectLiteralExpression, file: ts.SourceFile): PlainProperty[] | undefined {
    const read: PlainProperty[] = [];
    for (const property of object.properties) {
      if (!ts.isPropertyAssignment(property) || !ts.isIdentifier(property.name)) return undefined;
      const value = this.plainValue(property.initializer, file);
      if (value?.kind !== "ref") return undefined;
      read.push({ name: property.name.getText(file), expr: property.initializer, value });
    }
    return read;
  }

  /** The bindings of what plainRead read, as objectBindings makes them. */
  private plainCommit(read: readonly PlainProperty[], near: Node, file: ts.SourceFile, deps: string[]): Binding[] {
    const at = this.fileOf(near);
    const bindings = read.map(({ name, expr, value }) => {
      deps.push(...value.deps);
      const source = create(SourceLocationSchema, { file: at, ...lineAndColumn(file, expr.getStart(file)) });
      return create(BindingSchema, { var: name, value: value.value, source });
    });
    return bindings.sort(byVar);
  }

  /** The root-relative path locations in the body's file carry. */
  private fileOf(near: Node): string {
    this.file ??= locationOf(this.ctx.root, near).file;
    return this.file;
  }

  /** What `evaluate` gives for a name in scope or a member of one; undefined for anything else. */
  private plainValue(node: ts.Node, file: ts.SourceFile): ScopeValue | undefined {
    if (ts.isIdentifier(node)) {
      const declaration = symbolAt(this.checker, node)?.declarations?.[0];
      return declaration ? this.scope.get(declaration) : undefined;
    }
    if (ts.isPropertyAccessExpression(node)) {
      const base = this.plainValue(node.expression, file);
      return base?.kind === "inputs" || base?.kind === "node" ? this.outputOf(base, node.name.getText(file)) : undefined;
    }
    return undefined;
  }

  private binding(name: string, expr: Node, type: LiteralType | undefined, deps: string[]): Binding {
    return create(BindingSchema, { var: name, value: this.bindingValue(expr, type, deps), source: this.location(expr) });
  }

  private bindingValue(expr: Node, type: LiteralType | undefined, deps: string[]): BindingValue {
    const value = this.evaluate(expr);
    if (value.kind === "ref") {
      deps.push(...value.deps);
      return value.value;
    }
    if (value.kind === "literal") {
      // A literal that does not fit its type is kept as written; the spec checks say why it does not fit.
      const typed = literalOf(value.expr, type);
      const result = typed.ok ? typed : literalOf(value.expr, undefined);
      if (!result.ok) throw new Unsupported(expr, shortText(expr), result.reason);
      return create(BindingValueSchema, { value: { case: "literal", value: result.literal } });
    }
    if (value.kind === "node") throw new Unsupported(expr, shortText(expr), HINTS.wholeNode);
    if (value.kind === "condition") throw new Unsupported(expr, shortText(expr), "conditions are only used in when(...)");
    throw new Unsupported(expr, shortText(expr), "pass one workflow input (inputs.name), not the whole inputs object");
  }

  // ---- bookkeeping ------------------------------------------------------------------------

  private addNode(init: MessageInitShape<typeof NodeSchema> & { id: string; upstream: string[] }): SpecNode {
    const node = create(NodeSchema, init);
    node.upstream = [...init.upstream];
    this.nodes.push(node);
    this.byId.set(node.id, node);
    return node;
  }

  private nodeValue(nodeId: string, outputs: ReadonlyArray<{ name: string; type?: LiteralType }>): NodeValue {
    return { kind: "node", nodeId, outputs: new Map(outputs.map((v) => [v.name, v.type])) };
  }

  private location(node: Node): SourceLocation {
    return create(SourceLocationSchema, locationOf(this.ctx.root, node));
  }

  private report(error: Unsupported): void {
    this.diagnostics.push(
      diagnostic(Diagnostics.UnsupportedWorkflowSyntax, [error.what, error.hint], locationOf(this.ctx.root, error.node), [], {
        workflow: this.ctx.workflowName,
      }),
    );
  }
}

function unwrap(expr: Node): Node {
  let node = expr;
  while (Node.isParenthesizedExpression(node) || Node.isAsExpression(node) || Node.isSatisfiesExpression(node) || Node.isNonNullExpression(node)) {
    node = node.getExpression();
  }
  return node;
}

function findVar(vars: ReadonlyArray<{ name: string; type?: LiteralType }>, name: string): LiteralType | undefined {
  return vars.find((v) => v.name === name)?.type;
}

function byVar(a: Binding, b: Binding): number {
  return a.var < b.var ? -1 : a.var > b.var ? 1 : 0;
}

function propertyKey(property: Node): string | undefined {
  if (Node.isShorthandPropertyAssignment(property)) return property.getName();
  if (!Node.isPropertyAssignment(property)) return undefined;
  const name = property.getNameNode();
  if (Node.isIdentifier(name)) return name.getText();
  if (Node.isStringLiteral(name) || Node.isNoSubstitutionTemplateLiteral(name) || Node.isNumericLiteral(name)) return String(name.getLiteralValue());
  return undefined;
}

function collectIds(node: SpecNode, into: Set<string>): void {
  walkWorkflow(create(WorkflowTemplateSchema, { nodes: [node] }), { node: ({ node: n }) => void into.add(n.id) });
}

function keywordOf(statement: Node): string {
  const text = statement.getText();
  const keyword = /^[A-Za-z]+/.exec(text)?.[0];
  return keyword && statement.getKind() !== SyntaxKind.ExpressionStatement ? `${keyword} statement` : shortText(statement);
}

function shortText(node: Node): string {
  const text = node.getText().replace(/\s+/g, " ");
  return text.length > 50 ? `${text.slice(0, 47)}...` : text;
}
