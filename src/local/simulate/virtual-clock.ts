/**
 * Virtual time for `airless run --simulate --engine aws`, kept outside the workflow state: the
 * simulated handlers sleep on it, and it moves to the earliest sleeper only once the engine is
 * quiescent. The engine, the simulated handlers and the in-memory gate store do no I/O and use no
 * timers (Retry and Wait delays are overridden to 0), so all their work is promise continuations:
 * when a setImmediate callback runs, the microtask queue has drained, and every in-flight call is
 * asleep here or parked at a gate. Two such turns in a row without a new sleeper make it certain.
 */
interface Sleeper {
  at: number;
  seq: number;
  wake: () => void;
}

export class VirtualClock {
  #now = 0;
  #seq = 0;
  #sleepers: Sleeper[] = [];
  #looping = false;
  #stalled: ((message: string) => void) | null = null;
  #onQuiet: (() => Promise<boolean>) | null = null;
  #held = 0;

  /**
   * Marks work the engine does not see as promise continuations (a handler's HTTP call to an
   * emulator): time stands still until the returned release is called.
   */
  hold(): () => void {
    this.#held++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#held--;
      this.poke();
    };
  }

  /** Work to do whenever the engine is quiescent, before time moves; true when it did some. */
  beforeAdvance(work: () => Promise<boolean>): void {
    this.#onQuiet = work;
  }

  get now(): number {
    return this.#now;
  }

  /** Resolves once virtual time reaches `at` (at once, after the current turn, when it has). */
  sleepUntil(at: number): Promise<void> {
    return new Promise((wake) => {
      this.#sleepers.push({ at: Math.max(at, this.#now), seq: this.#seq++, wake });
      this.#loop();
    });
  }

  /**
   * Calls `onStall` when the engine is quiescent with nobody asleep while `running` (every branch
   * parked at a gate that nothing will open: a bug, reported instead of hanging).
   */
  watch(onStall: (message: string) => void): void {
    this.#stalled = onStall;
    this.#loop();
  }

  unwatch(): void {
    this.#stalled = null;
  }

  /** Starts watching for quiescence (a queued gate call counts as activity). */
  poke(): void {
    this.#seq++;
    this.#loop();
  }

  #loop(): void {
    if (this.#looping) return;
    this.#looping = true;
    void this.#run();
  }

  async #run(): Promise<void> {
    for (;;) {
      let quiet = 0;
      let seen = this.#seq;
      while (quiet < 2) {
        if (this.#held > 0) {
          await new Promise<void>((resolve) => setTimeout(resolve, 1));
          quiet = 0;
          continue;
        }
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.#seq === seen) quiet++;
        else {
          seen = this.#seq;
          quiet = 0;
        }
      }
      if (this.#onQuiet && (await this.#onQuiet())) continue;
      if (this.#sleepers.length === 0) {
        if (this.#stalled) this.#stalled(`the run stalled at ${this.#now} s: no task is running`);
        this.#looping = false;
        return;
      }
      const at = Math.min(...this.#sleepers.map((s) => s.at));
      const due = this.#sleepers.filter((s) => s.at === at).sort((a, b) => a.seq - b.seq);
      this.#sleepers = this.#sleepers.filter((s) => s.at !== at);
      this.#now = at;
      for (const s of due) s.wake();
    }
  }
}
