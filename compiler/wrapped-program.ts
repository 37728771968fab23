// ts-morph nodes over a ts.Program the compiler did not build (tsserver's, for the editor plugin), so
// the extraction code, written against ts-morph, reads that program's files and type checker as they
// are: nothing is parsed or type-checked a second time. A view belongs to one program and its checker.
import { createWrappedNode } from "ts-morph";
import type { Node, SourceFile, ts } from "ts-morph";

// ts-morph's wrapper factory (internal to ts-morph 28). `createWrappedNode` makes a factory per call;
// a view shares one, so a declaration reached through a symbol is the very object read from its file
// (discovery keys definitions by node).
interface WrapperFactory {
  getSourceFile(file: ts.SourceFile, options: { markInProject: boolean }): SourceFile;
  getNodeFromCompilerNode(node: ts.Node, sourceFile: SourceFile): Node;
}

export class WrappedProgram {
  private readonly factory: WrapperFactory;

  constructor(readonly program: ts.Program) {
    const [first] = program.getSourceFiles();
    const wrapped = createWrappedNode(first, { typeChecker: program.getTypeChecker(), compilerOptions: program.getCompilerOptions() });
    this.factory = (wrapped as unknown as { _context: { compilerFactory: WrapperFactory } })._context.compilerFactory;
  }

  sourceFile(file: ts.SourceFile): SourceFile {
    return this.factory.getSourceFile(file, { markInProject: true });
  }

  /**
   * This view's node for `node` of an earlier view, when this program still holds its file (the
   * editor reuses an unchanged file's syntax tree across programs); undefined when it does not.
   */
  carried<T extends Node>(node: T): T | undefined {
    const compilerNode = node.compilerNode;
    const file = compilerNode.getSourceFile();
    if (this.program.getSourceFile(file.fileName) !== file) return undefined;
    return this.factory.getNodeFromCompilerNode(compilerNode, this.sourceFile(file)) as T;
  }
}
