// One fuzz worker: runs `jfsmeta load URL FILE --quiet` in this process for each case the
// driver sends (through cli/main, exactly as the command runs), and answers with the exit
// code and what went to stderr. A separate process so that the driver can kill a case that
// hangs, even in a synchronous loop, and start a new worker.
import { main } from "../cli/main";

interface Job {
  id: number;
  args: string[];
}

let queue = Promise.resolve();

process.on("message", (job: Job) => {
  queue = queue.then(async () => {
    let stderr = "";
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => {
      stderr += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
      return true;
    }) as typeof process.stderr.write;
    let code: number;
    try {
      code = await main(job.args);
    } catch (err) {
      // main() catches everything; reaching here is itself a finding.
      stderr += `UNCAUGHT ${(err as Error)?.stack ?? String(err)}\n`;
      code = -1;
    } finally {
      process.stderr.write = write;
    }
    process.send!({ id: job.id, code, stderr });
  });
});
process.send!({ ready: true });
