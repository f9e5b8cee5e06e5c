// lib/jfs/version.ts
var JUICEFS_CLIENT_VERSION = "1.4.2";
function parseVersion(text) {
  let vs = text;
  const plus = vs.indexOf("+");
  if (plus > 0) vs = vs.slice(0, plus);
  let preRelease = "";
  const dash = vs.indexOf("-");
  if (dash > 0) {
    preRelease = vs.slice(dash + 1);
    vs = vs.slice(0, dash);
  }
  const parts = vs.split(".");
  if (parts.length > 3 || !parts.every((p) => /^\d+$/.test(p))) return null;
  const [major, minor = "0", patch = "0"] = parts;
  return { major: BigInt(major), minor: BigInt(minor), patch: BigInt(patch), preRelease };
}
function compareVersions(a, b) {
  for (const k of ["major", "minor", "patch"]) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  if (a.preRelease === b.preRelease) return 0;
  if (a.preRelease === "") return 1;
  if (b.preRelease === "") return -1;
  return a.preRelease < b.preRelease ? -1 : 1;
}
function compareVersionText(a, b) {
  if (!a) return -1;
  if (!b) return 1;
  const [pa, pb] = [parseVersion(a), parseVersion(b)];
  if (!pa || !pb) return 0;
  return compareVersions(pa, pb);
}
function clientVersionProblem(s, version = JUICEFS_CLIENT_VERSION) {
  const v = parseVersion(version);
  if (!v) return `invalid client version ${version}`;
  const min = s.MinClientVersion ? parseVersion(s.MinClientVersion) : null;
  if (min && compareVersions(v, min) < 0) return `allowed minimum client version is ${s.MinClientVersion}`;
  const max = s.MaxClientVersion ? parseVersion(s.MaxClientVersion) : null;
  if (max && compareVersions(v, max) > 0) return `allowed maximum client version is ${s.MaxClientVersion}`;
  return null;
}

export {
  JUICEFS_CLIENT_VERSION,
  parseVersion,
  compareVersionText,
  clientVersionProblem
};
