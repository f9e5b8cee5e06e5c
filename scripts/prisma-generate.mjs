// Generates the Prisma clients for jfsmeta's own store (run by `npm postinstall`).
// One client per provider (sqlite, postgresql) from the same models, into lib/generated/.
// The Prisma CLI wants a schema-engine binary it cannot download here; generation never
// runs it, so a stub that refuses to do anything satisfies the check.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const workDir = join(root, "lib", "generated", ".schemas");
mkdirSync(workDir, { recursive: true });

const stub = join(workDir, "schema-engine-stub.sh");
writeFileSync(stub, "#!/bin/sh\necho 'jfsmeta: the Prisma schema engine is not used (tables come from prisma/sql)' >&2\nexit 1\n");
chmodSync(stub, 0o755);

const base = readFileSync(join(root, "prisma", "schema.prisma"), "utf8");
const providers = [
  { provider: "sqlite", out: "sqlite" },
  { provider: "postgresql", out: "postgres" },
];
const prismaCli = join(root, "node_modules", "prisma", "build", "index.js");
if (!existsSync(prismaCli)) {
  console.error("prisma-generate: the prisma package is not installed; skipping client generation");
  process.exit(0);
}
for (const { provider, out } of providers) {
  const schema = base
    .replace(/provider = "sqlite"/, `provider = "${provider}"`)
    .replace(/output\s*=\s*"[^"]*"/, `output   = "${join(root, "lib", "generated", out).replaceAll("\\", "/")}"`);
  const schemaPath = join(workDir, `${out}.prisma`);
  writeFileSync(schemaPath, schema);
  const r = spawnSync(process.execPath, [prismaCli, "generate", "--schema", schemaPath], {
    cwd: root,
    stdio: "inherit",
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: stub,
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
      CHECKPOINT_DISABLE: "1",
      PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING: "1",
    },
  });
  if (r.status !== 0) {
    console.error(`prisma-generate: generating the ${provider} client failed`);
    process.exit(r.status ?? 1);
  }
}
