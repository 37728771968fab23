// A type as people read it: its name, and for a dataframe one row per column with its Arrow type and
// whether it may hold nulls (what an edge's hover and a node's inputs and outputs show).
import type { ReactNode } from "react";
import { arrowTypeName, typeName } from "../../../core/type-names.ts";
import type { DataFrameType, LiteralType } from "../../../proto/messages.ts";

export function TypeView(props: { type: LiteralType | undefined; read?: ReadonlySet<string> }): ReactNode {
  const t = props.type?.type;
  if (t?.case === "dataframe") return <ColumnsTable schema={t.value} read={props.read} />;
  if (t?.case === "collection" && t.value.item?.type.case === "dataframe") {
    return (
      <div>
        <div className="type-name">list of</div>
        <ColumnsTable schema={t.value.item.type.value} read={props.read} />
      </div>
    );
  }
  return <code className="type-name">{typeName(props.type)}</code>;
}

/** Columns, Arrow types and nullability; columns the consumer does not read are dimmed. */
export function ColumnsTable(props: { schema: DataFrameType; read?: ReadonlySet<string> }): ReactNode {
  if (props.schema.any) return <code className="type-name">dataframe (any columns: not checked)</code>;
  return (
    <table className="columns" data-testid="columns-table">
      <thead>
        <tr>
          <th>column</th>
          <th>Arrow type</th>
          <th>nullable</th>
        </tr>
      </thead>
      <tbody>
        {props.schema.columns.map((c) => {
          const unread = props.read !== undefined && !props.read.has(c.name);
          return (
            <tr key={c.name} className={unread ? "unread" : undefined} data-testid={`column-${c.name}`} title={unread ? "not read by the consumer" : undefined}>
              <td>{c.name}</td>
              <td>
                <code>{arrowTypeName(c.type)}</code>
              </td>
              <td>{c.nullable ? "nullable" : "not null"}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
