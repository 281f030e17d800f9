/**
 * Runs a Durable Object's calls one at a time, in arrival order, even across the awaits on D1 or
 * fetch that open the object's input gate: a read and the write that depends on it are never
 * interleaved with another call. Calls of one kind that queue up one right after another can run
 * as one task (`batch`), in their order, so that a rush costs one task instead of one per call.
 */
export class SerialExecutor {
  private tail: Promise<unknown> = Promise.resolve();
  /** The batch queued last, not started yet: a call of its kind arriving now joins it. */
  private open: { owner: object; items: unknown[]; answers: Promise<unknown[]> } | undefined;

  /** Run `task` once every call queued before it has ended, whether they succeeded or not. */
  run<T>(task: () => Promise<T>): Promise<T> {
    // Whatever is queued after this task comes after it: no batch queued before may take it in.
    this.open = undefined;
    const run = this.tail.then(task, task);
    this.tail = run.catch(() => {});
    return run;
  }

  /**
   * A kind of call whose consecutive calls run as one task: `runAll` gets the items in arrival
   * order and answers one result per item, in the same order. Any other call queued in between
   * starts a new batch, so calls keep their order.
   */
  batch<I, O>(runAll: (items: I[]) => Promise<O[]>): (item: I) => Promise<O> {
    const owner = {};
    return (item) => {
      const open = this.open?.owner === owner ? this.open : this.startBatch(owner, runAll);
      const index = open.items.push(item) - 1;
      return open.answers.then((answers) => {
        if (index >= answers.length) throw new Error(`a batch of ${open.items.length} answered ${answers.length}`);
        return answers[index] as O;
      });
    };
  }

  private startBatch<I, O>(owner: object, runAll: (items: I[]) => Promise<O[]>) {
    const items: I[] = [];
    const answers = this.run(() => {
      // Started: calls arriving from now on form the next batch.
      if (this.open?.items === items) this.open = undefined;
      return runAll(items);
    });
    const open = { owner, items: items as unknown[], answers: answers as Promise<unknown[]> };
    this.open = open;
    return open;
  }
}
