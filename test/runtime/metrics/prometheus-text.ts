// A strict reader of Prometheus's text exposition format (0.0.4), for tests: prom-client writes the
// format but reads none. Every line must be a comment (`# HELP`, `# TYPE`, or other), blank, or a
// sample `name{label="value",…} value [timestamp]`; anything else throws with its line number. It
// also holds the family rules a scraper relies on: one TYPE and one HELP per family, before its
// samples; a family's samples together; no series twice; counters never negative; a histogram's
// buckets cumulative with `le`, ending at +Inf equal to its _count, with a _sum.

export type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  type: MetricType;
  help: string | undefined;
  readonly samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<MetricType>(["counter", "gauge", "histogram", "summary", "untyped"]);
const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["_sum", "_count"],
};

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  const typed = new Set<string>();
  let current: Family | undefined;
  const closed = new Set<string>();
  const family = (name: string, at: number): Family => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type: "untyped", help: undefined, samples: [] }));
    if (current !== f) {
      if (current) closed.add(current.name);
      if (closed.has(name)) fail(at, `the samples and comments of ${name} are not together`);
      current = f;
    }
    return f;
  };
  if (text !== "" && !text.endsWith("\n")) fail(text.split("\n").length, "the text does not end with a newline");
  const lines = text.split("\n");
  lines.pop();
  lines.forEach((line, i) => {
    const at = i + 1;
    if (line.trim() === "") return;
    if (line.startsWith("#")) {
      const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (!m) return; // a plain comment
      const [, kind, name, rest = ""] = m;
      if (!NAME.test(name!)) fail(at, `bad metric name '${name}'`);
      const f = family(name!, at);
      if (kind === "HELP") {
        if (f.help !== undefined) fail(at, `a second HELP for ${name}`);
        f.help = unescapeText(rest, false, at);
      } else {
        if (!TYPES.has(rest as MetricType)) fail(at, `unknown type '${rest}' for ${name}`);
        if (f.samples.length) fail(at, `the TYPE of ${name} comes after its samples`);
        if (typed.has(f.name)) fail(at, `a second TYPE for ${name}`);
        typed.add(f.name);
        f.type = rest as MetricType;
      }
      return;
    }
    const sample = parseSample(line, at);
    const owner = familyOf(sample.name, families, current);
    const f = family(owner, at);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seen.has(key)) fail(at, `the series ${key} appears twice`);
    seen.add(key);
    if (f.type === "counter" && sample.value < 0) fail(at, `counter ${sample.name} is negative`);
    f.samples.push(sample);
  });
  for (const f of families.values()) if (f.type === "histogram") checkHistogram(f);
  return families;
}

/** The value of one series (0 when it is absent, as Prometheus reads an absent counter). */
export function seriesValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const owner = familyOf(name, families, undefined);
  const matches = (families.get(owner)?.samples ?? []).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === Object.keys(labels).length,
  );
  if (matches.length > 1) throw new Error(`${name}${JSON.stringify(labels)} names ${matches.length} series`);
  return matches[0]?.value ?? 0;
}

/** The sum of every series of `name` whose labels include `labels`. */
export function sumOf(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const owner = familyOf(name, families, undefined);
  return (families.get(owner)?.samples ?? [])
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

function familyOf(sampleName: string, families: Map<string, Family>, current: Family | undefined): string {
  if (families.has(sampleName) && families.get(sampleName)!.type !== "histogram") return sampleName;
  for (const candidate of [current, ...families.values()]) {
    if (!candidate) continue;
    for (const suffix of SUFFIXES[candidate.type] ?? []) if (sampleName === candidate.name + suffix) return candidate.name;
  }
  return sampleName;
}

function parseSample(line: string, at: number): Sample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)(?: (-?\d+))?$/.exec(line);
  if (!m) fail(at, `not a sample: '${line}'`);
  const [, name, labelText, valueText] = m!;
  return { name: name!, labels: labelText ? parseLabels(labelText, at) : {}, value: parseValue(valueText!, at) };
}

function parseLabels(text: string, at: number): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 1;
  const end = text.length - 1;
  while (i < end) {
    const eq = text.indexOf("=", i);
    if (eq < 0) fail(at, `a label without '=' in ${text}`);
    const name = text.slice(i, eq);
    if (!LABEL.test(name)) fail(at, `bad label name '${name}'`);
    if (name in labels) fail(at, `label ${name} twice`);
    if (text[eq + 1] !== '"') fail(at, `label ${name}'s value is not quoted`);
    let j = eq + 2;
    let raw = "";
    for (; j < end && text[j] !== '"'; j++) {
      if (text[j] === "\\") raw += text[j++]!;
      raw += text[j]!;
    }
    if (text[j] !== '"') fail(at, `label ${name}'s value is not closed`);
    labels[name] = unescapeText(raw, true, at);
    i = j + 1;
    if (text[i] === ",") i++;
    else if (i !== end) fail(at, `expected ',' or '}' after label ${name}`);
  }
  return labels;
}

/** A value as Go's strconv.ParseFloat reads it (Prometheus's own rule): NaN and Inf in any case. */
function parseValue(text: string, at: number): number {
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith("-") ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^nan$/i.test(text)) return Number.NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) fail(at, `bad value '${text}'`);
  return Number(text);
}

function unescapeText(text: string, quoted: boolean, at: number): string {
  return text.replace(/\\(.)/g, (_, c: string) => {
    if (c === "\\") return "\\";
    if (c === "n") return "\n";
    if (c === '"' && quoted) return '"';
    return fail(at, `bad escape '\\${c}'`);
  });
}

function checkHistogram(f: Family): void {
  const series = new Map<string, { buckets: Array<[number, number]>; sum?: number; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    let h = series.get(key);
    if (!h) series.set(key, (h = { buckets: [] }));
    if (s.name === `${f.name}_bucket`) {
      if (le === undefined) throw new Error(`${f.name}_bucket without le`);
      h.buckets.push([parseValue(le, 0), s.value]);
    } else if (s.name === `${f.name}_sum`) h.sum = s.value;
    else if (s.name === `${f.name}_count`) h.count = s.value;
    else throw new Error(`${s.name} is not a sample of histogram ${f.name}`);
  }
  for (const [key, h] of series) {
    if (h.sum === undefined || h.count === undefined) throw new Error(`histogram ${f.name}${key} lacks _sum or _count`);
    for (let i = 1; i < h.buckets.length; i++) {
      if (!(h.buckets[i]![0] > h.buckets[i - 1]![0])) throw new Error(`histogram ${f.name}${key}: bounds not increasing`);
      if (h.buckets[i]![1] < h.buckets[i - 1]![1]) throw new Error(`histogram ${f.name}${key}: buckets not cumulative`);
    }
    const last = h.buckets.at(-1);
    if (!last || last[0] !== Number.POSITIVE_INFINITY) throw new Error(`histogram ${f.name}${key} has no +Inf bucket`);
    if (last[1] !== h.count) throw new Error(`histogram ${f.name}${key}: +Inf bucket ${last[1]} is not _count ${h.count}`);
  }
}

function fail(line: number, why: string): never {
  throw new Error(`Prometheus text, line ${line}: ${why}`);
}
