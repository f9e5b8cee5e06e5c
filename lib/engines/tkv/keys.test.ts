// The TKV key and value encodings against the worked examples of the layout (spec §2.2) and
// keys JuiceFS 1.4.2 itself wrote into etcd for metadata.sample (hex copied from its store).
import { describe, expect, it } from "vitest";
import { TRASH_INODE, TYPE_CODE } from "../../jfs/types";
import {
  aclKey, attrKey, chunkKey, counterKey, decodeCounter, decodeEntry, decodeQuota, delFileKey, dirStatKey, encodeCounter,
  encodeDirStat, encodeEntry, encodeQuota, entryKey, nextKey, parentKey, parseDelFileKey, parseQuotaKey, parseSustainedKey,
  quotaKey, sliceRefKey, sustainedKey, xattrKey, writeInodeKeyAt, writeEntryValueAt, ATTR_TAG, ENTRY_TAG, CHUNK_TAG, INODE_KEY_BYTES, ENTRY_BYTES,
} from "./keys";

const hex = (b: Buffer) => b.toString("hex");

describe("TKV keys", () => {
  it("match the layout's worked examples", () => {
    expect(hex(attrKey(2n))).toBe("41020000000000000049");
    expect(hex(entryKey(1n, Buffer.from("a.txt")))).toBe("410100000000000000" + "44" + "612e747874");
    expect(hex(chunkKey(5000n, 3))).toBe("41881300000000000043" + "00000003");
    expect(hex(parentKey(77n, 12n))).toBe("414d00000000000000" + "50" + "0c00000000000000");
    expect(hex(sliceRefKey(4097n, 4 << 20))).toBe("4b" + "0000000000001001" + "00400000");
    expect(hex(delFileKey(9n, 100n))).toBe("44" + "0900000000000000" + "0000000000000064");
    expect(hex(sustainedKey(3n, 9n))).toBe("5353" + "0000000000000003" + "0900000000000000");
    expect(hex(attrKey(TRASH_INODE)).slice(2, 18)).toBe("00000010ffffff7f");
    expect(hex(counterKey("nextInode"))).toBe("436e657874496e6f6465");
    expect(hex(encodeCounter(1026n))).toBe("0204000000000000");
    expect(hex(encodeEntry("regular", 2n))).toBe("010000000000000002");
  });

  it("written in place (an etcd load's) are the same bytes, from numbers and bigints, past 2^53 too", () => {
    const b = Buffer.alloc(40, 0xee);
    for (const ino of [0n, 1n, 5000n, 2n ** 32n + 7n, 2n ** 53n - 1n, 2n ** 53n + 1n, TRASH_INODE, 2n ** 64n - 1n]) {
      for (const [tag, key] of [[ATTR_TAG, attrKey(ino)], [ENTRY_TAG, entryKey(ino, Buffer.alloc(0))], [CHUNK_TAG, chunkKey(ino, 0).subarray(0, 10)]] as const) {
        writeInodeKeyAt(b, 3, ino, tag);
        expect(hex(b.subarray(3, 3 + INODE_KEY_BYTES))).toBe(hex(key));
        if (ino <= 2n ** 53n - 1n) {
          writeInodeKeyAt(b, 5, Number(ino), tag);
          expect(hex(b.subarray(5, 5 + INODE_KEY_BYTES))).toBe(hex(key));
        }
      }
      writeEntryValueAt(b, 7, TYPE_CODE.directory, ino);
      expect(hex(b.subarray(7, 7 + ENTRY_BYTES))).toBe(hex(encodeEntry("directory", ino)));
      if (ino <= 2n ** 53n - 1n) {
        writeEntryValueAt(b, 2, TYPE_CODE.symlink, Number(ino));
        expect(hex(b.subarray(2, 2 + ENTRY_BYTES))).toBe(hex(encodeEntry("symlink", ino)));
      }
    }
  });

  it("match what JuiceFS 1.4.2 wrote for metadata.sample", () => {
    expect(hex(xattrKey(1n, Buffer.from("lastBackup")))).toBe("410100000000000000586c6173744261636b7570");
    expect(hex(dirStatKey(TRASH_INODE))).toBe("5500000010ffffff7f");
    expect(hex(quotaKey("dir", 1n))).toBe("51440100000000000000");
    expect(hex(quotaKey("user", 501n))).toBe("515500000000000001f5");
    expect(hex(quotaKey("group", 20n))).toBe("51470000000000000014");
    expect(hex(aclKey(4))).toBe("5200000004");
    expect(hex(encodeCounter(115392512n))).toBe("00c0e00600000000");
    expect(hex(encodeDirStat({ dataLength: 36n, usedSpace: 36864n, usedInodes: 9n }))).toBe("000000000000002400000000000090000000000000000009");
    expect(hex(encodeQuota({ maxSpace: -1n, maxInodes: -1n, usedSpace: 4096n, usedInodes: 1n }))).toBe(
      "ffffffffffffffffffffffffffffffff00000000000010000000000000000001",
    );
  });

  it("parse back what they encode", () => {
    expect(parseDelFileKey(delFileKey(9n, 100n), Buffer.from("00000000619cc6ca", "hex"))).toEqual({ inode: 9n, length: 100n, expire: 0x619cc6can });
    expect(parseDelFileKey(Buffer.from("D12345"), Buffer.alloc(8))).toBeNull();
    expect(parseSustainedKey(sustainedKey(3n, TRASH_INODE))).toEqual({ sid: 3n, inode: TRASH_INODE });
    expect(parseQuotaKey("dir", quotaKey("dir", 300n))).toBe(300n);
    expect(parseQuotaKey("user", quotaKey("user", 0xfffffffen))).toBe(0xfffffffen);
    const q = { maxSpace: 1n << 40n, maxInodes: 5n, usedSpace: -4096n, usedInodes: 2n };
    expect(decodeQuota(encodeQuota(q))).toEqual(q);
    expect(decodeQuota(Buffer.alloc(16))).toBeNull();
    expect(decodeCounter(encodeCounter(-1n))).toBe(-1n);
    expect(decodeCounter(null)).toBe(0n);
    expect(decodeEntry(Buffer.from("x"), encodeEntry("directory", TRASH_INODE))).toEqual({ name: Buffer.from("x"), inode: TRASH_INODE, type: "directory" });
    expect(() => decodeEntry(Buffer.from("x"), Buffer.alloc(3))).toThrow(/expected 9/);
  });

  it("nextKey ends the range of every key with a prefix, carrying over 0xFF", () => {
    expect(hex(nextKey(Buffer.from("2f61fd", "hex")))).toBe("2f61fe");
    expect(hex(nextKey(Buffer.from("41ffff", "hex")))).toBe("42");
    expect(hex(nextKey(Buffer.from("ffff", "hex")))).toBe("00");
  });
});
