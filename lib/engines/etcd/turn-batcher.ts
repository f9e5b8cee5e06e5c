// Reads of many callers sent together: the dump's walk opens a batch's sub-directories at once
// and asks for their children's nodes, each a few dozen keys, so a request each would cost
// grpc-js and etcd a fixed share per directory (README: Performance, etcd). Queued items go out
// in groups of `size` (one transaction of ranges each), every group through the gate of its
// first request (--threads, a gentle dump's pacing). At most `inFlight` groups are out at once:
// what is asked meanwhile waits and fills the next groups, so the busier etcd is, the fuller
// its transactions; an idle batcher sends at the end of the event-loop turn.
import type { QueryGate } from "../engine";
import { JfsError } from "../../jfs/errors";

interface Pending<I, O> {
  items: I[];
  gate: QueryGate;
  resolve(out: O[]): void;
  reject(err: unknown): void;
}

export class TurnBatcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private active = 0;
  private scheduled = false;

  constructor(
    /** Items a group holds. */
    private readonly size: number,
    /** Groups out at once. */
    private readonly inFlight: number,
    /** Reads one group: one answer per item, in order. */
    private readonly read: (items: I[]) => Promise<O[]>,
  ) {}

  /** The answers to `items`, in order, read together with whatever else is asked meanwhile. */
  add(items: I[], gate: QueryGate): Promise<O[]> {
    if (items.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ items, gate, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.active >= this.inFlight || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.send();
    });
  }

  /** Groups from the head of the queue while fewer than `inFlight` are out; a request may span groups. */
  private send(): void {
    while (this.active < this.inFlight && this.queue.length) {
      const requests: Pending<I, O>[] = [];
      let n = 0;
      while (this.queue.length && n < this.size) {
        const p = this.queue[0];
        if (n > 0 && n + p.items.length > this.size && p.items.length <= this.size) break; // whole in the next group
        requests.push(this.queue.shift()!);
        n += p.items.length;
      }
      this.active++;
      const items = requests.flatMap((p) => p.items);
      const parts: Promise<O[]>[] = [];
      for (let i = 0; i < items.length; i += this.size) parts.push(requests[0].gate(() => this.read(items.slice(i, i + this.size))));
      Promise.all(parts)
        .then((answers) => {
          const all = answers.length === 1 ? answers[0] : answers.flat();
          if (all.length !== items.length) throw new JfsError("internal", `a batched read answered ${all.length} items for ${items.length}`);
          let at = 0;
          for (const p of requests) {
            p.resolve(all.slice(at, at + p.items.length));
            at += p.items.length;
          }
        })
        .catch((err: unknown) => requests.forEach((p) => p.reject(err)))
        .finally(() => {
          this.active--;
          this.schedule();
        });
    }
  }
}
