// lib/jfs/types.ts
var ROOT_INODE = 1n;
var TRASH_INODE = 0x7fffffff10000000n;
var CHUNK_SIZE = 1 << 26;
var MAX_NAME = 255;
var MAX_SYMLINK = 4096;
var MAX_FILE_SIZE = BigInt(CHUNK_SIZE) << 31n;
var NODE_TYPES = ["regular", "directory", "symlink", "fifo", "blockdev", "chardev", "socket"];
var TYPE_CODE = {
  regular: 1,
  directory: 2,
  symlink: 3,
  fifo: 4,
  blockdev: 5,
  chardev: 6,
  socket: 7
};
function typeFromCode(code) {
  return NODE_TYPES[code - 1];
}
function align4K(length) {
  if (length <= 0n) return 4096n;
  return (length + 4095n) / 4096n * 4096n;
}
function aclRuleKey(r) {
  const list = (l) => l.map((e) => `${e.id}:${e.perm}`).join(",");
  return `${r.owner}/${r.group}/${r.mask}/${r.other}/${list(r.users)}/${list(r.groups)}`;
}

export {
  ROOT_INODE,
  TRASH_INODE,
  CHUNK_SIZE,
  MAX_NAME,
  MAX_SYMLINK,
  MAX_FILE_SIZE,
  NODE_TYPES,
  TYPE_CODE,
  typeFromCode,
  align4K,
  aclRuleKey
};
