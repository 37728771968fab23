// A dataframe's first rows under its schema (dataframe-preview.ts), or why they are not shown.
import type { ReactNode } from "react";
import { useCall } from "../api/use-call.ts";
import { loadPreview, PREVIEW } from "./dataframe-preview.ts";
import { bytesText } from "./literal-text.ts";

export function DataFrameRows(props: { sha256: string; rows: bigint }): ReactNode {
  const preview = useCall((signal) => loadPreview(props.sha256, signal), [props.sha256]);
  if (props.rows === 0n) return null;
  if (preview.error) return <div className="muted small">preview failed: {preview.error}</div>;
  const p = preview.data;
  if (!p) return <div className="muted small">reading the first rows…</div>;
  if (p.kind === "skipped") {
    return (
      <div className="muted small" data-testid="dataframe-preview-skipped">
        preview skipped: {bytesText(p.bytes)} (over {bytesText(PREVIEW.maxBytes)})
      </div>
    );
  }
  return (
    <div className="dataframe-rows">
      <table className="list compact" data-testid="dataframe-rows">
        <thead>
          <tr>
            {p.columns.map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {p.rows.map((row, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their position
            <tr key={i}>
              {row.map((cell, j) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: cells are positional
                <td key={j}>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {props.rows > BigInt(p.rows.length) && (
        <div className="muted small">
          first {p.rows.length} of {props.rows.toString()} rows
        </div>
      )}
    </div>
  );
}
