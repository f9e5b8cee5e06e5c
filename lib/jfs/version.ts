// JuiceFS's client versions (pkg/version): "major[.minor[.patch]][-prerelease][+build]", and the
// volume's Min/MaxClientVersion bounds (Format.CheckCliVersion).
import type { Setting } from "./setting";

/** The JuiceFS release whose formats jfsmeta reads and writes, as a client version. */
export const JUICEFS_CLIENT_VERSION = "1.4.2";

export interface Semver {
  major: bigint;
  minor: bigint;
  patch: bigint;
  preRelease: string;
}

/** JuiceFS's version.Parse: null where it returns nil (the build part is ignored). */
export function parseVersion(text: string): Semver | null {
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

/** JuiceFS's CompareVersions: a release sorts after its pre-releases, pre-releases by their text. */
export function compareVersions(a: Semver, b: Semver): number {
  for (const k of ["major", "minor", "patch"] as const) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  if (a.preRelease === b.preRelease) return 0;
  if (a.preRelease === "") return 1;
  if (b.preRelease === "") return -1;
  return a.preRelease < b.preRelease ? -1 : 1;
}

/** JuiceFS's compareVersion of two setting strings: an empty one is the lowest. */
export function compareVersionText(a: string | undefined, b: string | undefined): number {
  if (!a) return -1;
  if (!b) return 1;
  const [pa, pb] = [parseVersion(a), parseVersion(b)];
  if (!pa || !pb) return 0;
  return compareVersions(pa, pb);
}

/** Why a client of `version` may not mount this volume, or null when it may. */
export function clientVersionProblem(s: Setting, version = JUICEFS_CLIENT_VERSION): string | null {
  const v = parseVersion(version);
  if (!v) return `invalid client version ${version}`;
  const min = s.MinClientVersion ? parseVersion(s.MinClientVersion) : null;
  if (min && compareVersions(v, min) < 0) return `allowed minimum client version is ${s.MinClientVersion}`;
  const max = s.MaxClientVersion ? parseVersion(s.MaxClientVersion) : null;
  if (max && compareVersions(v, max) > 0) return `allowed maximum client version is ${s.MaxClientVersion}`;
  return null;
}
