// Literals as text for display: scalars in their own notation, sizes and hashes short. The page
// shows values; it never turns them back into values (form-literal.ts goes the other way).
import { durationMs, timestampDate } from "@bufbuild/protobuf/wkt";
import { formatDuration } from "../../../core/duration.ts";
import { BlobKind, type Literal, type Scalar } from "../../../proto/messages.ts";

export function scalarText(s: Scalar): string {
  const v = s.value;
  switch (v.case) {
    case "integer":
      return v.value.toString();
    case "float":
      return Number.isInteger(v.value) ? v.value.toFixed(1) : String(v.value);
    case "string":
      return v.value;
    case "boolean":
      return v.value ? "true" : "false";
    case "date":
      return v.value;
    case "datetime":
      return timestampDate(v.value).toISOString();
    case "duration":
      return formatDuration(durationMs(v.value));
    case "enumValue":
      return v.value;
    case "json":
      return prettyJson(v.value);
    default:
      return "(empty)";
  }
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** A one-line summary of any literal (lists and maps by their size, refs by their size and hash). */
export function literalSummary(l: Literal | undefined): string {
  if (!l) return "(not available)";
  const v = l.value;
  switch (v.case) {
    case "scalar":
      return v.value.value.case === "json" ? v.value.value.value : scalarText(v.value);
    case "collection":
      return `list of ${v.value.items.length}`;
    case "map":
      return `map of ${Object.keys(v.value.entries).length}`;
    case "none":
      return "none";
    case "blob":
      return `${v.value.kind === BlobKind.DIRECTORY ? "directory" : "file"} ${bytesText(v.value.size)} sha256:${v.value.sha256.slice(0, 12)}`;
    case "dataframe":
      return `dataframe ${v.value.rows.toString()} rows × ${v.value.schema?.columns.length ?? 0} columns`;
    default:
      return "(empty)";
  }
}

export function bytesText(size: bigint | number): string {
  const n = Number(size);
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let i = 0;
  for (; v >= 1024 && i < units.length - 1; i++) v /= 1024;
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}
