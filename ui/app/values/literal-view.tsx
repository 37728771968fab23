// A value as the page shows it: scalars in full, structs as JSON, lists item by item (the first
// ones), files by size and hash, dataframes by their row count, hash, schema and first rows (read
// from the runtime's artifact store: dataframe-rows.tsx).
import type { ReactNode } from "react";
import { BlobKind, type Literal } from "../../../proto/messages.ts";
import { DataFrameRows } from "./dataframe-rows.tsx";
import { bytesText, literalSummary, scalarText } from "./literal-text.ts";
import { ColumnsTable } from "./type-view.tsx";

const LIST_PREVIEW = 20;

export function LiteralView(props: { literal: Literal | undefined }): ReactNode {
  const l = props.literal;
  if (!l) return <span className="muted">not available</span>;
  const v = l.value;
  switch (v.case) {
    case "scalar":
      return v.value.value.case === "json" ? <pre className="json">{scalarText(v.value)}</pre> : <code className="scalar">{scalarText(v.value)}</code>;
    case "none":
      return <span className="muted">none</span>;
    case "collection": {
      const items = v.value.items;
      return (
        <div>
          <span className="muted">list of {items.length}</span>
          <ol className="items" start={0}>
            {items.slice(0, LIST_PREVIEW).map((item, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: list items have no identity but their position
              <li key={i}>{literalSummary(item)}</li>
            ))}
          </ol>
          {items.length > LIST_PREVIEW && <span className="muted">… {items.length - LIST_PREVIEW} more</span>}
        </div>
      );
    }
    case "map":
      return (
        <dl className="entries">
          {Object.entries(v.value.entries).map(([k, item]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{literalSummary(item)}</dd>
            </div>
          ))}
        </dl>
      );
    case "blob":
      return (
        <dl className="ref" data-testid="blob-ref">
          <div>
            <dt>{v.value.kind === BlobKind.DIRECTORY ? "directory" : "file"}</dt>
            <dd>
              {bytesText(v.value.size)}
              {v.value.format ? ` · ${v.value.format}` : ""}
            </dd>
          </div>
          <div>
            <dt>sha256</dt>
            <dd>
              <code title={v.value.sha256}>{v.value.sha256.slice(0, 16)}…</code>
            </dd>
          </div>
        </dl>
      );
    case "dataframe":
      return (
        <div className="dataframe" data-testid="dataframe-ref">
          <div>
            <strong>{v.value.rows.toString()}</strong> rows · sha256 <code title={v.value.sha256}>{v.value.sha256.slice(0, 12)}…</code>
          </div>
          {v.value.schema && <ColumnsTable schema={v.value.schema} />}
          <DataFrameRows sha256={v.value.sha256} rows={v.value.rows} />
        </div>
      );
    default:
      return <span className="muted">empty</span>;
  }
}
