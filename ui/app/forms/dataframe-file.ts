// A table file read in the browser (loaded on demand: it brings apache-arrow): Arrow IPC as is, CSV
// converted to the declared schema by the SDK's csvToTable (what `weir run --input x=@t.csv` and
// command tasks use), checked against the declared schema with core's relation (the one the
// runtime applies again), then written as an Arrow IPC file with the schema its data actually has.
import { create } from "@bufbuild/protobuf";
import { tableFromIPC, tableToIPC, type Table } from "apache-arrow";
import { checkAssignable } from "../../../core/compatibility.ts";
import { type DataFrameType, LiteralTypeSchema } from "../../../proto/messages.ts";
import { csvToTable } from "../../../sdk/csv-table.ts";
import { observeTable } from "../../../sdk/literal-arrow.ts";
import { FieldError } from "../values/form-literal.ts";

export function readDataFrame(name: string, bytes: Uint8Array, declared: DataFrameType): { ipc: Uint8Array; rows: bigint; schema: DataFrameType } {
  const ext = name.toLowerCase().slice(name.lastIndexOf("."));
  let table: Table;
  try {
    if (ext === ".csv") table = csvToTable(new TextDecoder().decode(bytes), declared);
    else if (ext === ".arrow" || ext === ".feather") table = tableFromIPC(bytes);
    else throw new Error("a table is read from .csv or Arrow IPC (.arrow, .feather) files");
  } catch (err) {
    throw new FieldError(`${name}: ${(err as Error).message}`);
  }
  const schema = observeTable(table).type;
  const frame = (value: DataFrameType) => create(LiteralTypeSchema, { type: { case: "dataframe", value } });
  const problems = checkAssignable(frame(schema), frame(declared));
  if (problems.length > 0) throw new FieldError(`${name}: ${problems.map((p) => p.message).join("; ")}`);
  return { ipc: tableToIPC(table, "file"), rows: BigInt(table.numRows), schema };
}
