#!/usr/bin/env python3
"""Calls a weir runtime from Python with grpcio and protobuf alone: no generated stubs, no .proto files.

Everything it knows about weir's protocol it learns from the server's reflection service: it asks
for the files that declare weir.v1.AdminService, builds a descriptor pool from them and makes its
message classes from that pool. Then it lists the registered workflows, and, given a compiled spec
(the .pb that `weir compile` writes under .weir/compiled/), registers it, creates an execution and
watches it to its end.

    python3 weir_client.py                                   # list services and workflows
    python3 weir_client.py --spec .weir/compiled/etl.pb --input day=2024-05-01 --input table=@day.arrow

--server (default $WEIR_SERVER, else 127.0.0.1:7070), --tls-ca for a TLS runtime, and the token
from --token-file or $WEIR_TOKEN, as the weir CLI takes them. Inputs are written as `weir run`
takes them: scalars as text, lists, maps and structs as JSON, "" or null for an absent optional,
and @path for a file, a directory or a dataframe (an Arrow IPC file), uploaded with UploadArtifact.
See docs/clients.md. Exits 0 when the execution succeeded (or none was asked for), 1 otherwise.
"""
import argparse
import json
import os
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

ADMIN = "weir.v1.AdminService"
CHUNK = 1 << 20  # UploadArtifact messages carry 1 MiB each, as the weir CLI sends them


def message_class(descriptor):
    """The message class of a descriptor (GetMessageClass from protobuf 4.22 on, GetPrototype before)."""
    get = getattr(message_factory, "GetMessageClass", None)
    return get(descriptor) if get else message_factory.MessageFactory(descriptor.file.pool).GetPrototype(descriptor)


# --- the reflection protocol itself ------------------------------------------------------------
# The one thing a client must know before it can ask: grpc.reflection.v1's request and response,
# here the fields this client uses (https://github.com/grpc/grpc-proto, grpc/reflection/v1).

def reflection_file(package):
    f = descriptor_pb2.FileDescriptorProto(name=package.replace(".", "/") + "/reflection.proto", package=package, syntax="proto3")
    string, bytes_, int32, message = (descriptor_pb2.FieldDescriptorProto.TYPE_STRING, descriptor_pb2.FieldDescriptorProto.TYPE_BYTES,
                                      descriptor_pb2.FieldDescriptorProto.TYPE_INT32, descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE)
    optional, repeated = descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL, descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED

    def add(name, fields, oneof=None):
        m = f.message_type.add(name=name)
        if oneof:
            m.oneof_decl.add(name=oneof[0])
        for field_name, number, kind, label, type_name in fields:
            field = m.field.add(name=field_name, number=number, type=kind, label=label)
            if type_name:
                field.type_name = f".{package}.{type_name}"
            if oneof and field_name in oneof[1]:
                field.oneof_index = 0

    add("ServerReflectionRequest", [
        ("host", 1, string, optional, None),
        ("file_by_filename", 3, string, optional, None),
        ("file_containing_symbol", 4, string, optional, None),
        ("list_services", 7, string, optional, None),
    ], ("message_request", {"file_by_filename", "file_containing_symbol", "list_services"}))
    add("ServerReflectionResponse", [
        ("valid_host", 1, string, optional, None),
        ("file_descriptor_response", 4, message, optional, "FileDescriptorResponse"),
        ("list_services_response", 6, message, optional, "ListServiceResponse"),
        ("error_response", 7, message, optional, "ErrorResponse"),
    ], ("message_response", {"file_descriptor_response", "list_services_response", "error_response"}))
    add("FileDescriptorResponse", [("file_descriptor_proto", 1, bytes_, repeated, None)])
    add("ListServiceResponse", [("service", 1, message, repeated, "ServiceResponse")])
    add("ServiceResponse", [("name", 1, string, optional, None)])
    add("ErrorResponse", [("error_code", 1, int32, optional, None), ("error_message", 2, string, optional, None)])
    return f


class Reflection:
    """One ServerReflectionInfo stream per question batch, v1 first and v1alpha for older servers."""

    def __init__(self, channel, metadata):
        self.channel, self.metadata, self.package = channel, metadata, "grpc.reflection.v1"

    def ask(self, requests):
        try:
            return self._ask(requests)
        except grpc.RpcError as err:
            if err.code() != grpc.StatusCode.UNIMPLEMENTED or self.package.endswith("v1alpha"):
                raise
            self.package = "grpc.reflection.v1alpha"
            return self._ask(requests)

    def _ask(self, requests):
        pool = descriptor_pool.DescriptorPool()
        pool.Add(reflection_file(self.package))
        request = message_class(pool.FindMessageTypeByName(self.package + ".ServerReflectionRequest"))
        response = message_class(pool.FindMessageTypeByName(self.package + ".ServerReflectionResponse"))
        call = self.channel.stream_stream(f"/{self.package}.ServerReflection/ServerReflectionInfo",
                                          request_serializer=lambda m: m.SerializeToString(), response_deserializer=response.FromString)
        answers = list(call(iter([request(**r) for r in requests]), metadata=self.metadata, timeout=30))
        for a in answers:
            if a.WhichOneof("message_response") == "error_response":
                raise LookupError(f"reflection: {a.error_response.error_message} (code {a.error_response.error_code})")
        return answers

    def services(self):
        return [s.name for s in self.ask([{"list_services": ""}])[0].list_services_response.service]

    def pool_for(self, *symbols):
        """A descriptor pool holding the files that declare `symbols` and everything they import."""
        files = {}

        def take(answers):
            for a in answers:
                for raw in a.file_descriptor_response.file_descriptor_proto:
                    fd = descriptor_pb2.FileDescriptorProto.FromString(raw)
                    files.setdefault(fd.name, fd)

        take(self.ask([{"file_containing_symbol": s} for s in symbols]))
        # The server sends each file with its imports; ask by name for any it left out.
        while missing := sorted({d for fd in files.values() for d in fd.dependency} - files.keys()):
            take(self.ask([{"file_by_filename": name} for name in missing]))
        pool, added = descriptor_pool.DescriptorPool(), set()

        def add(name):  # imports first: the pool refuses a file whose imports it does not hold
            if name in added:
                return
            added.add(name)
            for dep in files[name].dependency:
                add(dep)
            pool.Add(files[name])

        for name in sorted(files):
            add(name)
        return pool, sorted(files)


# --- calling AdminService through the reflected descriptors -----------------------------------

class Weir:
    def __init__(self, channel, metadata, pool):
        self.channel, self.metadata, self.pool = channel, metadata, pool
        self.service = pool.FindServiceByName(ADMIN)

    def message(self, name, **fields):
        return message_class(self.pool.FindMessageTypeByName(name))(**fields)

    def enum_name(self, enum, number):
        value = self.pool.FindEnumTypeByName(enum).values_by_number.get(number)
        return value.name if value else str(number)

    def _method(self, name, kind):
        m = self.service.methods_by_name[name]
        out = message_class(m.output_type)
        return getattr(self.channel, kind)(f"/{ADMIN}/{name}", request_serializer=lambda x: x.SerializeToString(), response_deserializer=out.FromString), m

    def call(self, name, **fields):
        fn, m = self._method(name, "unary_unary")
        return fn(message_class(m.input_type)(**fields), metadata=self.metadata, timeout=60)

    def stream(self, name, **fields):
        fn, m = self._method(name, "unary_stream")
        return fn(message_class(m.input_type)(**fields), metadata=self.metadata)

    def upload(self, path, kind):
        """UploadArtifact: a file's bytes, or a directory's files each under its relative path."""
        fn, m = self._method("UploadArtifact", "stream_unary")
        request = message_class(m.input_type)
        kinds = self.pool.FindEnumTypeByName("weir.v1.BlobKind").values_by_name

        def chunks():
            if kind == "file":
                first = True
                with open(path, "rb") as f:
                    while (data := f.read(CHUNK)) or first:
                        yield request(kind=kinds["BLOB_KIND_FILE"].number if first else 0, data=data)
                        first = False
                return
            yield request(kind=kinds["BLOB_KIND_DIRECTORY"].number)
            for root, _, names in os.walk(path):
                for n in sorted(names):
                    full = os.path.join(root, n)
                    rel = os.path.relpath(full, path).replace(os.sep, "/")
                    with open(full, "rb") as f:
                        first = True
                        while (data := f.read(CHUNK)) or first:
                            yield request(path=rel, data=data)
                            first = False

        return fn(chunks(), metadata=self.metadata, timeout=600)


# --- values: text as `weir run --input` takes it → weir.v1.Literal ----------------------------

def to_literal(weir, value, t):
    """A Python value (or @path text for files and dataframes) as a Literal of LiteralType `t`."""
    case = t.WhichOneof("type")
    Literal = lambda **kw: weir.message("weir.v1.Literal", **kw)  # noqa: E731
    scalar = lambda **kw: Literal(scalar=weir.message("weir.v1.Scalar", **kw))  # noqa: E731
    if case == "simple":
        simple = weir.enum_name("weir.v1.SimpleType", t.simple)
        if simple == "SIMPLE_TYPE_INTEGER":
            return scalar(integer=int(value))
        if simple == "SIMPLE_TYPE_FLOAT":
            return scalar(float=float(value))
        if simple == "SIMPLE_TYPE_BOOLEAN":
            return scalar(boolean=value if isinstance(value, bool) else str(value).lower() in ("true", "1", "yes"))
        if simple == "SIMPLE_TYPE_DATE":
            return scalar(date=str(value))  # YYYY-MM-DD
        if simple == "SIMPLE_TYPE_DATETIME":
            lit = scalar()
            lit.scalar.datetime.FromJsonString(str(value))  # RFC 3339: "2024-05-01T12:00:00Z"
            return lit
        if simple == "SIMPLE_TYPE_DURATION":
            lit = scalar()
            text = str(value)
            if text.endswith("s"):
                lit.scalar.duration.FromJsonString(text)  # protobuf JSON: "90s", "0.25s"
            else:
                lit.scalar.duration.FromMilliseconds(int(text))  # a bare number is milliseconds, as in `weir run`
            return lit
        if simple == "SIMPLE_TYPE_STRING":
            return scalar(string=str(value))
        return scalar(json=value if isinstance(value, str) else json.dumps(value))  # any
    if case == "enum_type":
        return scalar(enum_value=str(value))
    if case == "struct":
        return scalar(json=value if isinstance(value, str) else json.dumps(value))
    if case in ("collection", "map"):
        parsed = json.loads(value) if isinstance(value, str) else value
        if case == "collection":
            return Literal(collection=weir.message("weir.v1.LiteralCollection", items=[to_literal(weir, v, t.collection.item) for v in parsed]))
        lit = Literal(map=weir.message("weir.v1.LiteralMap"))
        for k, v in parsed.items():
            lit.map.entries[k].CopyFrom(to_literal(weir, v, t.map.value))
        return lit
    if case == "optional":
        if value is None or value in ("", "null"):
            return Literal(none=weir.message("weir.v1.None"))
        return to_literal(weir, value, t.optional.inner)
    if case == "union":
        for variant in t.union.variants:
            try:
                return to_literal(weir, value, variant)
            except (ValueError, TypeError, json.JSONDecodeError):
                continue
        raise ValueError(f"{value!r} fits none of the union's variants")
    if case in ("blob", "dataframe"):
        path = str(value).removeprefix("@")
        directory = case == "blob" and weir.enum_name("weir.v1.BlobKind", t.blob.kind) == "BLOB_KIND_DIRECTORY"
        stored = weir.upload(path, "directory" if directory else "file")
        if case == "blob":
            return Literal(blob=weir.message("weir.v1.BlobRef", uri=stored.uri, sha256=stored.sha256, size=stored.size,
                                             format=t.blob.format, kind=t.blob.kind or 1))
        # An Arrow IPC file; its schema is the declared one (the file must hold those columns).
        return Literal(dataframe=weir.message("weir.v1.DataFrameRef", uri=stored.uri, sha256=stored.sha256, rows=arrow_rows(path), schema=t.dataframe))
    raise ValueError(f"unsupported input type {case}")


def arrow_rows(path):
    try:
        import pyarrow.ipc  # optional: the row count is informative only
        return pyarrow.ipc.open_file(path).read_all().num_rows
    except ImportError:
        return 0


def from_literal(weir, lit):
    case = lit.WhichOneof("value")
    if case == "scalar":
        kind = lit.scalar.WhichOneof("value")
        v = getattr(lit.scalar, kind) if kind else None
        if kind in ("datetime", "duration"):
            return v.ToJsonString()
        return json.loads(v) if kind == "json" else v
    if case == "collection":
        return [from_literal(weir, i) for i in lit.collection.items]
    if case == "map":
        return {k: from_literal(weir, v) for k, v in lit.map.entries.items()}
    if case == "blob":
        return lit.blob.uri
    if case == "dataframe":
        return f"dataframe {lit.dataframe.uri} ({lit.dataframe.rows} rows)"
    return None


# --- the walk-through ----------------------------------------------------------------------------

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--server", default=os.environ.get("WEIR_SERVER", "127.0.0.1:7070"))
    p.add_argument("--tls-ca", help="PEM file of the CA that signed the runtime's certificate (TLS)")
    p.add_argument("--token-file", help="file holding the runtime's token (else $WEIR_TOKEN)")
    p.add_argument("--spec", help="a compiled workflow (.pb from `weir compile`) to register and run")
    p.add_argument("--input", action="append", default=[], metavar="NAME=VALUE")
    args = p.parse_args()

    address = args.server.removeprefix("http://").removeprefix("https://")
    if args.tls_ca or args.server.startswith("https://"):
        ca = open(args.tls_ca, "rb").read() if args.tls_ca else None
        channel = grpc.secure_channel(address, grpc.ssl_channel_credentials(ca))
    else:
        channel = grpc.insecure_channel(address)
    token = open(args.token_file).read().strip() if args.token_file else os.environ.get("WEIR_TOKEN", "")
    metadata = [("authorization", f"Bearer {token}")] if token else []

    reflection = Reflection(channel, metadata)
    print("services:", ", ".join(reflection.services()))
    pool, files = reflection.pool_for(ADMIN)
    print(f"descriptor pool from reflection ({reflection.package}):", ", ".join(files))
    weir = Weir(channel, metadata, pool)

    listed = weir.call("ListWorkflows")
    print(f"workflows: {len(listed.workflows)}")
    for w in listed.workflows:
        print(f"  {w.name} {w.latest_version[:12]} ({w.versions} version{'s' if w.versions != 1 else ''})")
    if not args.spec:
        return 0

    with open(args.spec, "rb") as f:
        spec = weir.message("weir.v1.CompiledWorkflow").FromString(f.read())
    registered = weir.call("RegisterWorkflow", spec=spec)
    print(f"registered {registered.name} {registered.version[:12]} ({'new version' if registered.created else 'already registered'})")

    declared = {v.name: v.type for v in spec.workflow.interface.inputs}
    inputs = weir.message("weir.v1.LiteralSet")
    for item in args.input:
        name, _, text = item.partition("=")
        if name not in declared:
            sys.exit(f"unknown input {name!r}: {spec.workflow.name} takes {', '.join(declared) or 'no inputs'}")
        inputs.literals[name].CopyFrom(to_literal(weir, text, declared[name]))
    created = weir.call("CreateExecution", workflow=registered.name, version=registered.version, inputs=inputs)
    execution = created.execution
    print(f"execution {execution.id}: {weir.enum_name('weir.v1.ExecutionState', execution.state)}")

    for event in weir.stream("WatchExecution", id=execution.id):
        for node in event.nodes:
            print(f"  {node.node_id}: {weir.enum_name('weir.v1.NodeState', node.state)}")
        if event.HasField("snapshot"):
            execution = event.snapshot
    state = weir.enum_name("weir.v1.ExecutionState", execution.state)
    print(f"execution {execution.id}: {state}")
    for name, lit in sorted(execution.outputs.literals.items()):
        print(f"  output {name} = {json.dumps(from_literal(weir, lit))}")
    if execution.HasField("error"):
        print(f"  error {execution.error.code}: {execution.error.message}")
    return 0 if state == "EXECUTION_STATE_SUCCEEDED" else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except grpc.RpcError as err:  # the runtime's message says what to do
        sys.exit(f"{err.code().name}: {err.details()}")
    except (LookupError, ValueError) as err:
        sys.exit(str(err))
