// The plugin tsserver instantiates per project: a proxy of its language service that adds weir's
// diagnostics to each file's semantic diagnostics and offers did-you-mean quick fixes. It reads the
// project statically through the compiler; it never imports or runs user code. A failure inside
// weir is logged and leaves TypeScript's own answers untouched.
import type ts from "typescript";
import { didYouMeanFix } from "./did-you-mean-fix.ts";
import { editorDiagnostic } from "./editor-diagnostic.ts";
import { ProjectChecks } from "./project-checks.ts";

type Typescript = typeof ts;

export function init({ typescript }: { typescript: Typescript }): ts.server.PluginModule {
  return { create: (info) => decorate(typescript, info) };
}

function decorate(typescript: Typescript, info: ts.server.PluginCreateInfo): ts.LanguageService {
  const log = (message: string) => info.project.projectService.logger.info(`[weir] ${message}`);
  const inner = info.languageService;
  // Only a configured project has the tsconfig `weir compile` would read; inferred ones are left alone.
  if (info.project.projectKind !== typescript.server.ProjectKind.Configured) return inner;
  const checks = new ProjectChecks(inner, info.project.getProjectName(), typescript.version, log);

  const weirDiagnostics = (fileName: string): ts.Diagnostic[] => {
    try {
      const file = inner.getProgram()?.getSourceFile(fileName);
      if (!file) return [];
      return checks
        .current()
        .diagnosticsOf(fileName)
        .flatMap((d) => editorDiagnostic(typescript, file, d) ?? []);
    } catch (error) {
      log(`check failed: ${(error as Error).stack ?? error}`);
      return [];
    }
  };

  const proxy: ts.LanguageService = Object.create(null);
  for (const key of Object.keys(inner) as Array<keyof ts.LanguageService>) {
    const member = inner[key];
    (proxy as unknown as Record<string, unknown>)[key] = typeof member === "function" ? member.bind(inner) : member;
  }
  proxy.getSemanticDiagnostics = (fileName) => [...inner.getSemanticDiagnostics(fileName), ...weirDiagnostics(fileName)];
  proxy.getCodeFixesAtPosition = (fileName, start, end, errorCodes, formatOptions, preferences) => {
    const fixes = [...inner.getCodeFixesAtPosition(fileName, start, end, errorCodes, formatOptions, preferences)];
    for (const d of weirDiagnostics(fileName)) {
      const overlaps = d.start !== undefined && d.start <= end && d.start + (d.length ?? 0) >= start;
      const fix = overlaps && errorCodes.includes(d.code) ? didYouMeanFix(typescript, d) : undefined;
      if (fix) fixes.push(fix);
    }
    return fixes;
  };
  return proxy;
}
