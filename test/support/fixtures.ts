// JuiceFS's golden dumps are never committed here; tests read them from ../shared/fixtures/juicefs
// (this workplace), from $JFS_FIXTURES_DIR, or from fixtures/juicefs after `npm run fixtures:download`.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

export type GoldenName = "metadata.sample" | "metadata-sub.sample";

function candidates(): string[] {
  const root = path.resolve(__dirname, "..", "..");
  return [
    process.env.JFS_FIXTURES_DIR,
    path.join(root, "..", "shared", "fixtures", "juicefs"),
    path.join(root, "fixtures", "juicefs"),
  ].filter((d): d is string => !!d);
}

export function goldenPath(name: GoldenName): string {
  for (const dir of candidates()) {
    const p = path.join(dir, name);
    if (existsSync(p)) return p;
  }
  throw new Error(
    `JuiceFS golden file ${name} not found (looked in ${candidates().join(", ")}). ` +
      "Run `npm run fixtures:download` to fetch it from juicedata/juicefs, or set JFS_FIXTURES_DIR.",
  );
}

export function golden(name: GoldenName): Buffer {
  return readFileSync(goldenPath(name));
}
