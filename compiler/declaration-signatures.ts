// The editor's stand-in for the tsc builder (tsc-diagnostics.ts): a file's signature (what importers
// see of it) computed only when an importer's fingerprint asks, so an edit of a file nothing imports
// (a workflow's) costs none. A file the editor kept unchanged keeps its syntax tree object, and its
// signature is remembered with it; types it takes from its imports are covered by the importers'
// fingerprints, which name every imported file transitively.
import { createHash } from "node:crypto";
import { ts } from "ts-morph";
import type { Diagnostic } from "../core/index.ts";

type ComputeDtsSignature = (
  program: ts.Program,
  file: ts.SourceFile,
  token: undefined,
  host: ts.BuilderProgramHost,
  onSignature: (signature: string) => void,
) => void;

// Internal to TypeScript (present since 5.0): the builder's own signature, a hash of the declaration
// output. Without it, files count by version (slower, never wrong).
const computeDtsSignature = (ts as unknown as { BuilderState?: { computeDtsSignature?: ComputeDtsSignature } }).BuilderState?.computeDtsSignature;

// Declarations whose type another file sees by name while their structure is written here.
const NAMED_TYPE_KINDS = new Set([
  ts.SyntaxKind.InterfaceDeclaration,
  ts.SyntaxKind.TypeAliasDeclaration,
  ts.SyntaxKind.ClassDeclaration,
  ts.SyntaxKind.ClassExpression,
  ts.SyntaxKind.EnumDeclaration,
  ts.SyntaxKind.FunctionDeclaration,
  ts.SyntaxKind.ModuleDeclaration,
]);
// What a file of plain values holds at its top level (a tasks file: imports and consts).
const VALUE_STATEMENTS = new Set([
  ts.SyntaxKind.ImportDeclaration,
  ts.SyntaxKind.VariableStatement,
  ts.SyntaxKind.ExpressionStatement,
  ts.SyntaxKind.EmptyStatement,
]);

export class DeclarationSignatures {
  private program: ts.Program | undefined;
  private readonly known = new WeakMap<ts.SourceFile, string>();

  /** Takes the program whose files `signatureOf` is asked about; tsc's errors are the editor's to show. */
  diagnostics(program: ts.Program): Diagnostic[] {
    this.program = program;
    return [];
  }

  signatureOf(file: ts.SourceFile): string | undefined {
    const known = this.known.get(file);
    if (known !== undefined || !this.program) return known;
    const signature = holdsOnlyValues(file) ? exportedTypes(this.program, file) : declarationSignature(this.program, file);
    if (signature !== undefined) this.known.set(file, signature);
    return signature;
  }
}

// A file of plain values shows importers only its exports' types, each written out in full (anonymous
// types expanded, named ones by their fully qualified name, declared in another file the fingerprint
// names): their text is the signature, without the declaration emit's cost (ten times this on a file
// of twenty tasks). Anything declaring a named type here takes the declaration emit.
function exportedTypes(program: ts.Program, file: ts.SourceFile): string | undefined {
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(file);
  if (!module) return undefined;
  const flags = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseFullyQualifiedType;
  const hash = createHash("sha256");
  for (const symbol of checker.getExportsOfModule(module))
    hash.update(`${symbol.name}: ${checker.typeToString(checker.getTypeOfSymbol(symbol), undefined, flags)}\n`);
  return hash.digest("base64");
}

function holdsOnlyValues(file: ts.SourceFile): boolean {
  if (!file.statements.every((s) => VALUE_STATEMENTS.has(s.kind))) return false;
  const declaresNamedType = (node: ts.Node): boolean => NAMED_TYPE_KINDS.has(node.kind) || ts.forEachChild(node, declaresNamedType) === true;
  return ts.forEachChild(file, declaresNamedType) !== true;
}

function declarationSignature(program: ts.Program, file: ts.SourceFile): string | undefined {
  if (typeof computeDtsSignature !== "function") return undefined;
  let signature: string | undefined;
  computeDtsSignature(program, file, undefined, {}, (s) => {
    signature = s;
  });
  return signature;
}
