// lib/jfs/format.ts
var BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
function formatBytes(bytes) {
  if (typeof bytes === "number" && !Number.isFinite(bytes)) return "\u2013";
  if (bytes < 1024 && bytes > -1024) return `${bytes} B`;
  let v = Number(bytes);
  let u = 0;
  while (Math.abs(v) >= 1024 && u < BYTE_UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  const text = Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1).replace(/\.0$/, "");
  return `${text} ${BYTE_UNITS[u]}`;
}
function formatIssues(error, labels = {}) {
  return error.issues.map((i) => {
    if (!i.path.length) return i.message;
    const key = i.path.map(String).join(".");
    return `${labels[key] ?? key}: ${i.message}`;
  }).join("; ");
}

export {
  formatBytes,
  formatIssues
};
