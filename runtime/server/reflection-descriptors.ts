// The descriptors server reflection serves: the FileDescriptorProtos protobuf-es embeds in the
// generated code (real file names, real imports, map entries as protoc names them), indexed by file
// name, by every symbol they declare and by the extensions they define.
import { toBinary, type DescFile } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, type DescriptorProto, type FieldDescriptorProto } from "@bufbuild/protobuf/wkt";

export class DescriptorIndex {
  /** Keyed by the file's name as written in imports (`weir/v1/admin.proto`). */
  private readonly files = new Map<string, DescFile>();
  /** Every fully-qualified name a file declares: messages, fields, oneofs, enums, enum values, services, methods, extensions. */
  private readonly symbols = new Map<string, DescFile>();
  /** The fully-qualified names of every message type, nested ones included. */
  private readonly messages = new Set<string>();
  /** Extensions by the message they extend (`weir.v1.Foo`), then by field number. */
  private readonly extensions = new Map<string, Map<number, DescFile>>();
  private readonly encoded = new Map<string, Uint8Array>();

  /** Indexes `roots` and every file they import, transitively. */
  constructor(roots: Iterable<DescFile>) {
    for (const file of roots) this.add(file);
  }

  fileByName(name: string): DescFile | undefined {
    return this.files.get(name);
  }

  fileContainingSymbol(name: string): DescFile | undefined {
    return this.symbols.get(name);
  }

  fileContainingExtension(extendee: string, number: number): DescFile | undefined {
    return this.extensions.get(extendee)?.get(number);
  }

  /** The field numbers of the known extensions of a message type; undefined when the type is unknown. */
  extensionNumbers(typeName: string): number[] | undefined {
    if (!this.messages.has(typeName)) return undefined;
    return [...(this.extensions.get(typeName)?.keys() ?? [])];
  }

  /**
   * `file` serialized, then each file it imports, transitively, that is not in `sent` (what the
   * stream already carried; updated). The requested file always goes, as grpc-go does.
   */
  withDependencies(file: DescFile, sent: Set<string>): Uint8Array[] {
    const out: Uint8Array[] = [];
    const visit = (f: DescFile, requested: boolean): void => {
      const name = f.proto.name;
      if (sent.has(name) && !requested) return;
      sent.add(name);
      out.push(this.bytes(f));
      for (const dep of f.dependencies) visit(dep, false);
    };
    visit(file, true);
    return out;
  }

  private bytes(file: DescFile): Uint8Array {
    let bytes = this.encoded.get(file.proto.name);
    if (!bytes) this.encoded.set(file.proto.name, (bytes = toBinary(FileDescriptorProtoSchema, file.proto)));
    return bytes;
  }

  private add(file: DescFile): void {
    if (this.files.has(file.proto.name)) return;
    this.files.set(file.proto.name, file);
    const proto = file.proto;
    const scope = proto.package ? `${proto.package}.` : "";
    for (const message of proto.messageType) this.addMessage(file, scope, message);
    for (const e of proto.enumType)
      this.addEnum(
        file,
        scope,
        e.name,
        e.value.map((v) => v.name),
      );
    for (const ext of proto.extension) this.addExtension(file, scope, ext);
    for (const service of proto.service) {
      this.symbols.set(`${scope}${service.name}`, file);
      for (const method of service.method) this.symbols.set(`${scope}${service.name}.${method.name}`, file);
    }
    for (const dep of file.dependencies) this.add(dep);
  }

  private addMessage(file: DescFile, scope: string, message: DescriptorProto): void {
    const name = `${scope}${message.name}`;
    this.symbols.set(name, file);
    this.messages.add(name);
    for (const field of message.field) this.symbols.set(`${name}.${field.name}`, file);
    for (const oneof of message.oneofDecl) this.symbols.set(`${name}.${oneof.name}`, file);
    for (const nested of message.nestedType) this.addMessage(file, `${name}.`, nested);
    for (const e of message.enumType)
      this.addEnum(
        file,
        `${name}.`,
        e.name,
        e.value.map((v) => v.name),
      );
    for (const ext of message.extension) this.addExtension(file, `${name}.`, ext);
  }

  /** Enum values are scoped beside their enum, not inside it (protobuf's C++ scoping). */
  private addEnum(file: DescFile, scope: string, name: string, values: string[]): void {
    this.symbols.set(`${scope}${name}`, file);
    for (const value of values) this.symbols.set(`${scope}${value}`, file);
  }

  private addExtension(file: DescFile, scope: string, ext: FieldDescriptorProto): void {
    this.symbols.set(`${scope}${ext.name}`, file);
    const extendee = ext.extendee.replace(/^\./, "");
    let byNumber = this.extensions.get(extendee);
    if (!byNumber) this.extensions.set(extendee, (byNumber = new Map()));
    byNumber.set(ext.number, file);
  }
}
