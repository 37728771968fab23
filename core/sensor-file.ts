// The type of what a file sensor yields: a file whose format is its path's extension, when the
// path's last segment is literal text ("data/${day}/data.csv" → file<csv>); otherwise a file of no
// declared format, which feeds only consumers that declare none.
import { create } from "@bufbuild/protobuf";
import { BlobKind, LiteralTypeSchema } from "../proto/messages.ts";
import type { BindingValue, LiteralType, Node } from "../proto/messages.ts";

/** The output type of a sensor node, from its `path` binding. */
export function sensorFileType(node: Node): LiteralType {
  return fileOfFormat(extensionOf(node.inputs.find((b) => b.var === "path")?.value));
}

function fileOfFormat(format: string): LiteralType {
  return create(LiteralTypeSchema, { type: { case: "blob", value: { kind: BlobKind.FILE, format } } });
}

/** "csv" for `…/data.csv` or `…/${day}.csv`; "" when the path ends in a value or has no extension. */
export function extensionOf(path: BindingValue | undefined): string {
  const v = path?.value;
  let tail: string | undefined;
  let wholeName = true;
  if (v?.case === "literal" && v.value.value.case === "scalar" && v.value.value.value.value.case === "string") {
    tail = v.value.value.value.value.value;
  } else if (v?.case === "template") {
    const last = v.value.parts.at(-1)?.part;
    if (last?.case === "text") {
      tail = last.value;
      // Without a "/" in the last text, a value before it starts the file name (`${day}.csv`).
      wholeName = tail.includes("/") || v.value.parts.length === 1;
    }
  }
  if (tail === undefined) return "";
  const name = tail.slice(tail.lastIndexOf("/") + 1);
  const m = /\.([A-Za-z0-9]+)$/.exec(name);
  if (m === null || (m.index === 0 && wholeName)) return "";
  return m[1];
}
