// A minimal CSV reader for the demo's generated partitions (no quoting in them).
export function parseCsv(text: string): Array<Record<string, string>> {
  const [header, ...lines] = text.trimEnd().split("\n");
  const names = header.split(",");
  return lines.map((line) => {
    const cells = line.split(",");
    return Object.fromEntries(names.map((n, i) => [n, cells[i] ?? ""]));
  });
}
