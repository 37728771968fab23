// A file chosen in the run form, stored in the runtime's artifact store with PutArtifact (a
// browser cannot stream a request, so the whole file goes in one message, up to its 64 MiB limit)
// and turned into the literal a task would have produced: a file as a blob ref; a dataframe, from
// Arrow IPC or from CSV converted to the declared schema, as a table ref recording the schema its
// data has, as the SDK's toLiteral records it. The Arrow code loads only when a table is chosen.
import { create } from "@bufbuild/protobuf";
import { BlobKind, LiteralSchema, type Literal, type LiteralType } from "../../../proto/messages.ts";
import { admin } from "../api/admin.ts";
import { FieldError } from "../values/form-literal.ts";

export const UPLOAD_LIMIT_BYTES = 64 * 2 ** 20;

/** The blob or dataframe type under an optional, or undefined. */
export function uploadType(type: LiteralType | undefined): LiteralType | undefined {
  const t = type?.type;
  if (t?.case === "optional") return uploadType(t.value.inner);
  return t?.case === "blob" || t?.case === "dataframe" ? type : undefined;
}

export async function uploadInput(file: File, type: LiteralType): Promise<Literal> {
  const target = uploadType(type)?.type;
  if (!target) throw new FieldError("this input does not take a file");
  if (target.case === "blob" && target.value.kind === BlobKind.DIRECTORY) throw new FieldError("a directory is uploaded with `weir run --input name=@dir`");
  let bytes: Uint8Array = new Uint8Array(await file.arrayBuffer());
  let table: { rows: bigint; schema: import("../../../proto/messages.ts").DataFrameType } | undefined;
  if (target.case === "dataframe") {
    const { readDataFrame } = await import("./dataframe-file.ts");
    const read = readDataFrame(file.name, bytes, target.value);
    bytes = read.ipc;
    table = { rows: read.rows, schema: read.schema };
  }
  if (bytes.byteLength > UPLOAD_LIMIT_BYTES) throw new FieldError(`${file.name} is over the ${UPLOAD_LIMIT_BYTES / 2 ** 20} MiB a browser upload may carry`);
  const stored = await admin.putArtifact({ kind: BlobKind.FILE, data: bytes });
  if (table) {
    return create(LiteralSchema, {
      value: { case: "dataframe", value: { uri: stored.uri, sha256: stored.sha256, rows: table.rows, schema: table.schema } },
    });
  }
  const format = target.case === "blob" ? target.value.format : "";
  return create(LiteralSchema, {
    value: { case: "blob", value: { uri: stored.uri, sha256: stored.sha256, size: stored.size, format, kind: BlobKind.FILE } },
  });
}
