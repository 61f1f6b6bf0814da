/**
 * What start-up must undo, in one place: each part registers how to stop itself as soon as it has
 * started, so a failure half-way and a normal `stop()` release the same things, last-started first.
 */
export class Cleanups {
  private readonly steps: Array<() => unknown> = [];

  /** Registers a step (sync or async) to run on `run()`. */
  add(step: () => unknown): void {
    this.steps.push(step);
  }

  /** Runs every registered step once, newest first; a failing step never keeps the others from running. */
  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      await Promise.resolve()
        .then(step)
        .catch(() => undefined);
    }
  }
}
