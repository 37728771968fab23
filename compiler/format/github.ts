// GitHub Actions workflow commands (`--format github`): one `::error file=…,line=…,col=…,title=…::`
// line per diagnostic, so each shows as an annotation on the pull request's diff.
import type { Diagnostic } from "../../core/index.ts";

/** The message part: `%`, CR and LF are escaped (GitHub's escapeData). */
export function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** A property value: as data, plus `:` and `,` which would end the property (escapeProperty). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export function formatGithub(diags: Diagnostic[]): string {
  const lines = diags.map((d) => {
    const props: string[] = [];
    if (d.location) {
      props.push(`file=${escapeProperty(d.location.file)}`, `line=${d.location.line}`, `col=${d.location.column}`);
    }
    props.push(`title=${escapeProperty(d.code)}`);
    const command = d.category === "error" ? "error" : "warning";
    const body = [d.message, ...d.details].join("\n");
    return `::${command} ${props.join(",")}::${escapeData(body)}`;
  });
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}
