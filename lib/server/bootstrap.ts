// Start-up: the password (printed once when generated), the own store, jobs a previous
// process left running, and the demo volume on a first start. Run by scripts/start.mjs
// before `next start`, and lazily by the app (idempotent, once per process).
import { ensureAuth } from "./auth";
import { getDb } from "./db";
import { pruneJobFiles, recoverInterruptedJobs } from "./jobs";

let ready: Promise<void> | undefined;

export async function bootstrap(opts: { demo: boolean; print: (line: string) => void }): Promise<void> {
  const { generatedPassword } = ensureAuth();
  if (generatedPassword) {
    opts.print(`jfsmeta: generated dashboard password (shown once, only its hash is stored): ${generatedPassword}`);
  }
  await getDb();
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
    .then(async () => (await import("./scheduler")).startDemoBackups())
    .catch((err) => {
    ready = undefined;
    throw err;
  });
  return ready;
}
