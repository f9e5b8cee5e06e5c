import {
  MAGIC_BYTES,
  looksLikeBinaryDump
} from "./chunk-ZFPZGAM2.js";
import {
  ByteQueue,
  readBinaryDump
} from "./chunk-SRWFOR7S.js";
import {
  BatchDesc,
  FooterDesc,
  FormatDesc
} from "./chunk-T4KSQL2Z.js";
import {
  BAK_EOS,
  BAK_MAGIC,
  BinaryDumpError,
  SEGMENT_HEADER_BYTES,
  segmentByType
} from "./chunk-DOIJPOW2.js";
import "./chunk-R7GPK5FI.js";
import "./chunk-FUB4GH24.js";
import "./chunk-VIEEZCGY.js";
import "./chunk-OHKNE627.js";
import "./chunk-GEL7VY43.js";
import "./chunk-Z33CHFVJ.js";
import "./chunk-CPAUB6IY.js";

// lib/dump/binary/stat.ts
import { open } from "node:fs/promises";
import { fromBinary, toJsonString } from "@bufbuild/protobuf";
async function isPlainBinaryFile(path) {
  const fh = await open(path, "r");
  try {
    const head = Buffer.alloc(MAGIC_BYTES);
    await fh.read(head, 0, head.length, 0);
    return looksLikeBinaryDump(head);
  } finally {
    await fh.close();
  }
}
async function readFooterOfFile(path) {
  const fh = await open(path, "r");
  try {
    const { size } = await fh.stat();
    const fail = (m) => {
      throw new BinaryDumpError(m, "footer", size);
    };
    if (size < 12) fail(`${path} is ${size} bytes long, too short for a binary dump`);
    const tail = Buffer.alloc(8);
    await fh.read(tail, 0, 8, size - 8);
    const len = tail.readBigUInt64BE(0);
    if (len > BigInt(size - 12)) fail(`the footer's length says ${len} bytes, more than the file holds: the dump is truncated or damaged`);
    const footerBytes = Buffer.alloc(Number(len));
    await fh.read(footerBytes, 0, footerBytes.length, size - 8 - footerBytes.length);
    const eos = Buffer.alloc(4);
    await fh.read(eos, 0, 4, size - 12 - footerBytes.length);
    if (eos.readUInt32BE(0) !== BAK_EOS) fail("no end marker before the footer: the dump is truncated or damaged");
    let footer;
    try {
      footer = fromBinary(FooterDesc, footerBytes);
    } catch (e) {
      return fail(`the footer is not a valid protobuf Footer (${e.message})`);
    }
    if (footer.magic !== BAK_MAGIC) fail(`the footer's magic is ${footer.magic}, expected ${BAK_MAGIC}`);
    const infos = /* @__PURE__ */ new Map();
    for (const [name, i] of Object.entries(footer.infos)) infos.set(name, { offsets: [...i.offset], num: i.num });
    return { version: footer.version, infos, bytes: size };
  } finally {
    await fh.close();
  }
}
function readFooterOfStream(input) {
  return readBinaryDump(input, {}, { decode: false });
}
function formatFooter(f, withOffsets) {
  const rows = [...f.infos].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  const pad = (s) => s.padEnd(10);
  const lines = [`Backup Version: ${f.version}`];
  if (withOffsets) lines.push("-".repeat(34), `${pad("Name")}| ${pad("Num")}| ${pad("Offset")}`, "-".repeat(34));
  else lines.push("-".repeat(23), `${pad("Name")}| ${pad("Num")}`, "-".repeat(23));
  for (const [name, i] of rows) {
    let line = `${pad(name)}| ${pad(String(i.num))}|`;
    if (withOffsets) line += ` ${pad(`[${i.offsets.join(" ")}]`)}`;
    lines.push(line);
  }
  return lines.join("\n") + "\n";
}
function formatSegment(type, payload) {
  const seg = segmentByType(type);
  if (!seg) throw new Error(`unknown segment type ${type}`);
  if (seg.type === 1) {
    const f = fromBinary(FormatDesc, payload);
    return `Segment: ${seg.name}
Value: ${Buffer.from(f.data).toString("utf8")}
`;
  }
  const batch = fromBinary(BatchDesc, payload);
  return `Segment: ${seg.name}
Value: ${toJsonString(BatchDesc, batch, { prettySpaces: 2 })}
`;
}
async function readSegmentAt(source, offset) {
  const where = (m) => {
    throw new BinaryDumpError(m, null, offset);
  };
  if ("file" in source) {
    const fh = await open(source.file, "r");
    try {
      const header = Buffer.alloc(SEGMENT_HEADER_BYTES);
      const { bytesRead } = await fh.read(header, 0, header.length, offset);
      if (bytesRead < header.length) where("no segment starts here: the file is shorter");
      const type = header.readUInt32BE(0);
      if (!segmentByType(type)) where(`no segment starts here (found type ${type}); 'load FILE --binary --stat --offset -1' lists the offsets`);
      const length = Number(header.readBigUInt64BE(4));
      const payload = Buffer.alloc(length);
      const got = await fh.read(payload, 0, length, offset + SEGMENT_HEADER_BYTES);
      if (got.bytesRead < length) where(`the segment claims ${length} bytes; the file ends first`);
      return { type, payload };
    } finally {
      await fh.close();
    }
  }
  const input = source.stream;
  const q = new ByteQueue(input[Symbol.asyncIterator]());
  try {
    let pos = 0;
    for (; ; ) {
      if (!await q.need(SEGMENT_HEADER_BYTES)) where("the dump ends before this offset");
      const header = q.take(SEGMENT_HEADER_BYTES);
      const type = header.readUInt32BE(0);
      if (type === BAK_EOS) where("no segment starts here: the segments end before it");
      const length = Number(header.readBigUInt64BE(4));
      if (pos === offset) {
        if (!await q.need(length)) where(`the segment claims ${length} bytes; the dump ends first`);
        return { type, payload: q.take(length) };
      }
      pos += SEGMENT_HEADER_BYTES + length;
      if (pos > offset) where("no segment starts here; 'load FILE --binary --stat --offset -1' lists the offsets");
      if (!await q.skip(length)) where("the dump ends before this offset");
    }
  } finally {
    await q.close();
  }
}
export {
  formatFooter,
  formatSegment,
  isPlainBinaryFile,
  readFooterOfFile,
  readFooterOfStream,
  readSegmentAt
};
