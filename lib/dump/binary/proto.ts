// The protobuf messages of JuiceFS's binary dump (docs/format/dump-binary.md, JuiceFS's
// pkg/meta/pb), described for @bufbuild/protobuf at run time: the table below is the wire
// contract (names, numbers, types), turned into a file descriptor once. No generated code and
// no protoc: the library's reflection encodes and decodes, 64-bit fields as bigint.
import { create, createFileRegistry, type DescMessage } from "@bufbuild/protobuf";
import { FieldDescriptorProtoSchema, FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { MessageInitShape } from "@bufbuild/protobuf";

type Scalar = "uint64" | "int64" | "uint32" | "string" | "bytes";
/** [name, number, type, repeated]; a type that is not a scalar names a message. */
type Field = [string, number, Scalar | string, boolean?];

const MESSAGES: Record<string, Field[]> = {
  Format: [["data", 1, "bytes"]],
  Counter: [["key", 1, "string"], ["value", 2, "int64"]],
  Sustained: [["sid", 1, "uint64"], ["inodes", 2, "uint64", true]],
  DelFile: [["inode", 1, "uint64"], ["length", 2, "uint64"], ["expire", 3, "int64"]],
  SliceRef: [["id", 1, "uint64"], ["size", 2, "uint32"], ["refs", 3, "int64"]],
  Acl: [["id", 1, "uint32"], ["data", 2, "bytes"]],
  Xattr: [["inode", 1, "uint64"], ["name", 2, "string"], ["value", 3, "bytes"]],
  Quota: [["key", 1, "uint64"], ["maxSpace", 2, "int64"], ["maxInodes", 3, "int64"], ["usedSpace", 4, "int64"], ["usedInodes", 5, "int64"], ["type", 6, "uint32"]],
  Stat: [["inode", 1, "uint64"], ["dataLength", 2, "int64"], ["usedSpace", 3, "int64"], ["usedInodes", 4, "int64"]],
  Node: [["inode", 1, "uint64"], ["data", 2, "bytes"]],
  Edge: [["parent", 1, "uint64"], ["inode", 2, "uint64"], ["name", 3, "bytes"], ["type", 4, "uint32"]],
  Parent: [["inode", 1, "uint64"], ["parent", 2, "uint64"], ["cnt", 3, "int64"]],
  Chunk: [["inode", 1, "uint64"], ["index", 2, "uint32"], ["slices", 3, "bytes"]],
  Symlink: [["inode", 1, "uint64"], ["target", 2, "bytes"]],
  ChangeLog: [["version", 1, "int64"], ["entry", 2, "bytes"]],
  Batch: [
    ["nodes", 1, "Node", true],
    ["edges", 2, "Edge", true],
    ["chunks", 3, "Chunk", true],
    ["sliceRefs", 4, "SliceRef", true],
    ["xattrs", 5, "Xattr", true],
    ["parents", 6, "Parent", true],
    ["symlinks", 7, "Symlink", true],
    ["sustained", 8, "Sustained", true],
    ["delfiles", 9, "DelFile", true],
    ["dirstats", 10, "Stat", true],
    ["quotas", 11, "Quota", true],
    ["acls", 12, "Acl", true],
    ["counters", 13, "Counter", true],
    ["changelogs", 14, "ChangeLog", true],
    ["userQuotas", 15, "Quota", true],
    ["groupQuotas", 16, "Quota", true],
  ],
};

// google.protobuf.FieldDescriptorProto type and label numbers.
const TYPE_NUMBER: Record<Scalar, number> = { int64: 3, uint64: 4, string: 9, bytes: 12, uint32: 13 };
const MESSAGE_TYPE = 11;
const LABEL_OPTIONAL = 1;
const LABEL_REPEATED = 3;

function field([name, number, type, repeated]: Field, scope: string): MessageInitShape<typeof FieldDescriptorProtoSchema> {
  const scalar = (TYPE_NUMBER as Record<string, number | undefined>)[type];
  return {
    name,
    number,
    jsonName: name,
    label: repeated ? LABEL_REPEATED : LABEL_OPTIONAL,
    type: scalar ?? MESSAGE_TYPE,
    ...(scalar === undefined ? { typeName: `${scope}.${type}` } : {}),
  };
}

const file = create(FileDescriptorProtoSchema, {
  name: "jfsmeta/backup.proto",
  package: "pb",
  syntax: "proto3",
  messageType: [
    ...Object.entries(MESSAGES).map(([name, fields]) => ({ name, field: fields.map((f) => field(f, ".pb")) })),
    {
      name: "Footer",
      field: [
        field(["magic", 1, "uint32"], ".pb"),
        field(["version", 2, "uint32"], ".pb"),
        field(["infos", 3, "InfosEntry", true], ".pb.Footer"),
      ],
      nestedType: [
        { name: "SegInfo", field: [field(["offset", 1, "uint64", true], ""), field(["num", 2, "uint64"], "")] },
        {
          name: "InfosEntry",
          options: { mapEntry: true },
          field: [field(["key", 1, "string"], ""), field(["value", 2, "SegInfo"], ".pb.Footer")],
        },
      ],
    },
  ],
});

const registry = createFileRegistry(file, () => undefined);

function message(name: string): DescMessage {
  const d = registry.getMessage(`pb.${name}`);
  if (!d) throw new Error(`internal error: protobuf message pb.${name} is not described`);
  return d;
}

export const FormatDesc = message("Format");
export const BatchDesc = message("Batch");
export const FooterDesc = message("Footer");

// The decoded shapes (what @bufbuild/protobuf's reflection returns for the table above).
export interface PbNode { inode: bigint; data: Uint8Array }
export interface PbEdge { parent: bigint; inode: bigint; name: Uint8Array; type: number }
export interface PbChunk { inode: bigint; index: number; slices: Uint8Array }
export interface PbSliceRef { id: bigint; size: number; refs: bigint }
export interface PbXattr { inode: bigint; name: string; value: Uint8Array }
export interface PbParent { inode: bigint; parent: bigint; cnt: bigint }
export interface PbSymlink { inode: bigint; target: Uint8Array }
export interface PbSustained { sid: bigint; inodes: bigint[] }
export interface PbDelFile { inode: bigint; length: bigint; expire: bigint }
export interface PbStat { inode: bigint; dataLength: bigint; usedSpace: bigint; usedInodes: bigint }
export interface PbQuota { key: bigint; maxSpace: bigint; maxInodes: bigint; usedSpace: bigint; usedInodes: bigint; type: number }
export interface PbAcl { id: number; data: Uint8Array }
export interface PbCounter { key: string; value: bigint }
export interface PbChangeLog { version: bigint; entry: Uint8Array }

export interface PbBatch {
  nodes: PbNode[];
  edges: PbEdge[];
  chunks: PbChunk[];
  sliceRefs: PbSliceRef[];
  xattrs: PbXattr[];
  parents: PbParent[];
  symlinks: PbSymlink[];
  sustained: PbSustained[];
  delfiles: PbDelFile[];
  dirstats: PbStat[];
  quotas: PbQuota[];
  acls: PbAcl[];
  counters: PbCounter[];
  changelogs: PbChangeLog[];
  userQuotas: PbQuota[];
  groupQuotas: PbQuota[];
}

export interface PbFooter {
  magic: number;
  version: number;
  infos: Record<string, { offset: bigint[]; num: bigint }>;
}
