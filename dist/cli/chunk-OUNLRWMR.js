// lib/jfs/changelog.ts
var QUOTA_TYPE = { dir: 0, user: 1, group: 2 };
function changelogOpText(op, limits) {
  if (op.op === "LOADDUMPEDACLS") return `LOADDUMPEDACLS(${op.maxId})`;
  const l = op[limits];
  return `SETQUOTA(${QUOTA_TYPE[op.kind]},${op.key},${l.maxSpace},${l.maxInodes})`;
}
function changelogClock() {
  const wallAtStart = BigInt(Date.now()) * 1000000n;
  const monoAtStart = process.hrtime.bigint();
  let last = 0n;
  return () => {
    let ns = wallAtStart + (process.hrtime.bigint() - monoAtStart);
    if (ns <= last) ns = last + 1n;
    last = ns;
    return ns;
  };
}
function changelogLine(ns, opText, txn) {
  const sec = ns / 1000000000n;
  const nsec = (ns % 1000000000n).toString().padStart(9, "0");
  return `${sec}.${nsec}|${opText}|(0,${txn})`;
}
function changelogLines(ops, limits, clock = changelogClock()) {
  return ops.map((op, i) => changelogLine(clock(), changelogOpText(op, limits), i + 1));
}

export {
  changelogLines
};
