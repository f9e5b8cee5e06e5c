// Start-up: a private data directory, the password (printed once when generated), the own
// store with its secrets sealed, jobs a previous process left running, and the demo volume on
// a first start. Run by scripts/start.mjs before `next start`, and lazily by the app
// (idempotent, once per process).
import { ensureAuth, revokeAllSessions } from "./auth";
import { secureDataDir } from "./config";
import { compactStore, getDb } from "./db";
import { pruneJobFiles, recoverInterruptedJobs } from "./jobs";
import { secretKeyFile } from "./secretbox";
import { sealStoredSecrets } from "./volumes";

let ready: Promise<void> | undefined;

export async function bootstrap(opts: { demo: boolean; print: (line: string) => void }): Promise<void> {
  const { tightened } = secureDataDir();
  if (tightened) opts.print(`jfsmeta: made ${tightened} files and directories of the data directory private (0600/0700)`);
  const { generatedPassword, passwordChanged } = ensureAuth();
  if (generatedPassword) {
    opts.print(`jfsmeta: generated dashboard password (shown once, only its hash is stored): ${generatedPassword}`);
  }
  await getDb();
  if (passwordChanged) {
    const ended = await revokeAllSessions();
    opts.print(`jfsmeta: the password changed (JFSMETA_PASSWORD): ${ended} sessions signed out`);
  }
  const { sealed, unreadable } = await sealStoredSecrets();
  if (sealed) {
    // The clear values may linger in the store's free pages: rewrite the file without them.
    await compactStore();
    opts.print(`jfsmeta: sealed the stored secrets of ${sealed} volumes (key: ${secretKeyFile()})`);
  }
  if (unreadable.length) {
    opts.print(
      `jfsmeta: WARNING: the stored secrets of ${unreadable.map((n) => JSON.stringify(n)).join(", ")} do not open with the key in ${secretKeyFile()}: ` +
        "put the original key file back (or point JFSMETA_SECRET_KEY_FILE at it), or remove these volumes and add them again",
    );
  }
  await recoverInterruptedJobs();
  await pruneJobFiles();
  if (opts.demo && process.env.JFSMETA_DEMO !== "0") {
    const { ensureDemo } = await import("./demo");
    await ensureDemo(opts.print);
  }
}

/** The web server's start-up: bootstrap, then keep the demo volume's backups going. */
export function ensureReady(): Promise<void> {
  ready ??= bootstrap({ demo: true, print: (l) => console.log(l) })
    .then(async () => {
      const scheduler = await import("./scheduler");
      scheduler.startDemoBackups();
      scheduler.startOpsSchedule();
    })
    .catch((err) => {
    ready = undefined;
    throw err;
  });
  return ready;
}
