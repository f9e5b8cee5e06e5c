// `load FILE --binary --stat [--offset N]`: a binary dump's footer (its segment table) or one
// segment, printed as JuiceFS prints them. A plain file is read where it is needed (the
// footer from the end, a segment at its offset), as JuiceFS does; a compressed or encrypted
// one is read forward as it is decompressed, never copied to disk in plain.
import { open } from "node:fs/promises";
import { fromBinary, toJsonString } from "@bufbuild/protobuf";
import { BAK_EOS, BAK_MAGIC, BinaryDumpError, segmentByType, SEGMENT_HEADER_BYTES } from "./format";
import { BatchDesc, FooterDesc, FormatDesc, type PbFooter } from "./proto";
import { looksLikeBinaryDump, MAGIC_BYTES } from "../magic";
import { ByteQueue, readBinaryDump, type FooterInfo } from "./reader";

/** Whether a local file is an uncompressed, unencrypted binary dump (seekable as JuiceFS seeks). */
export async function isPlainBinaryFile(path: string): Promise<boolean> {
  const fh = await open(path, "r");
  try {
    const head = Buffer.alloc(MAGIC_BYTES);
    await fh.read(head, 0, head.length, 0);
    return looksLikeBinaryDump(head);
  } finally {
    await fh.close();
  }
}

/** Reads only the footer of a plain binary dump file (8 bytes from the end, then the footer). */
export async function readFooterOfFile(path: string): Promise<FooterInfo> {
  const fh = await open(path, "r");
  try {
    const { size } = await fh.stat();
    const fail = (m: string): never => {
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
    let footer: PbFooter;
    try {
      footer = fromBinary(FooterDesc, footerBytes) as unknown as PbFooter;
    } catch (e) {
      return fail(`the footer is not a valid protobuf Footer (${(e as Error).message})`);
    }
    if (footer.magic !== BAK_MAGIC) fail(`the footer's magic is ${footer.magic}, expected ${BAK_MAGIC}`);
    const infos = new Map<string, { offsets: bigint[]; num: bigint }>();
    for (const [name, i] of Object.entries(footer.infos)) infos.set(name, { offsets: [...i.offset], num: i.num });
    return { version: footer.version, infos, bytes: size };
  } finally {
    await fh.close();
  }
}

/** Reads the footer of a dump stream by walking its segments (checked against the footer). */
export function readFooterOfStream(input: AsyncIterable<Buffer | string> | NodeJS.ReadableStream): Promise<FooterInfo> {
  return readBinaryDump(input, {}, { decode: false });
}

/** JuiceFS's summary table: `Backup Version`, then name and count (and offsets) by name. */
export function formatFooter(f: FooterInfo, withOffsets: boolean): string {
  const rows = [...f.infos].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const pad = (s: string) => s.padEnd(10);
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

/** One segment as JuiceFS shows it: the format's JSON, or the batch as protobuf JSON. */
export function formatSegment(type: number, payload: Uint8Array): string {
  const seg = segmentByType(type);
  if (!seg) throw new Error(`unknown segment type ${type}`);
  if (seg.type === 1) {
    const f = fromBinary(FormatDesc, payload) as unknown as { data: Uint8Array };
    return `Segment: ${seg.name}\nValue: ${Buffer.from(f.data).toString("utf8")}\n`;
  }
  const batch = fromBinary(BatchDesc, payload);
  return `Segment: ${seg.name}\nValue: ${toJsonString(BatchDesc, batch, { prettySpaces: 2 })}\n`;
}

/** The segment that starts at `offset`: from a plain file by seeking, else by reading forward. */
export async function readSegmentAt(
  source: { file: string } | { stream: AsyncIterable<Buffer | string> | NodeJS.ReadableStream },
  offset: number,
): Promise<{ type: number; payload: Buffer }> {
  const where = (m: string): never => {
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
  const input = source.stream as AsyncIterable<Buffer | string>;
  const q = new ByteQueue(input[Symbol.asyncIterator]());
  try {
    let pos = 0;
    for (;;) {
      if (!(await q.need(SEGMENT_HEADER_BYTES))) where("the dump ends before this offset");
      const header = q.take(SEGMENT_HEADER_BYTES);
      const type = header.readUInt32BE(0);
      if (type === BAK_EOS) where("no segment starts here: the segments end before it");
      const length = Number(header.readBigUInt64BE(4));
      if (pos === offset) {
        if (!(await q.need(length))) where(`the segment claims ${length} bytes; the dump ends first`);
        return { type, payload: q.take(length) };
      }
      pos += SEGMENT_HEADER_BYTES + length;
      if (pos > offset) where("no segment starts here; 'load FILE --binary --stat --offset -1' lists the offsets");
      if (!(await q.skip(length))) where("the dump ends before this offset");
    }
  } finally {
    await q.close();
  }
}
