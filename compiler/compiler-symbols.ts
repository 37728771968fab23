// The compiler's own nodes and symbols behind ts-morph's wrappers, for the extractor's per-node hot
// paths: the same answers as ts-morph's `getSymbol()` / `getAliasedSymbol()` / `getDeclarations()`,
// without a wrapper object made for each node and symbol on the way (most of a big body's cost).
import { ts } from "ts-morph";
import type { Node } from "ts-morph";

// ts-morph's context behind a node (internal to ts-morph 28): its type checker's compiler object.
interface NodeContext {
  _context: { typeChecker: { compilerObject: ts.TypeChecker } };
  _getNodeFromCompilerNode(node: ts.Node): Node;
}

/** The type checker the wrapped node `node` reads its types and symbols from. */
export function checkerOf(node: Node): ts.TypeChecker {
  return (node as unknown as NodeContext)._context.typeChecker.compilerObject;
}

/** The symbol of `node` as ts-morph's `getSymbol()` finds it: the bound one, else the checker's. */
export function symbolAt(checker: ts.TypeChecker, node: ts.Node): ts.Symbol | undefined {
  return (node as ts.Node & { symbol?: ts.Symbol }).symbol ?? checker.getSymbolAtLocation(node);
}

/** What an import alias stands for (the symbol itself when it is no alias). */
export function unaliased(checker: ts.TypeChecker, symbol: ts.Symbol | undefined): ts.Symbol | undefined {
  if (!symbol) return undefined;
  return symbol.flags & ts.SymbolFlags.Alias ? (checker.getAliasedSymbol(symbol) ?? symbol) : symbol;
}

/** The wrapper of `node`, a compiler node of the same file as the wrapped node `near`. */
export function wrapperOf(near: Node, node: ts.Node): Node {
  return (near as unknown as NodeContext)._getNodeFromCompilerNode(node);
}
