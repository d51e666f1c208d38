/**
 * Emulated time. `timeScale` emulated seconds pass per real second (1000: an emulated second lasts
 * 1 ms), and `advance()` jumps ahead, so tests can move jobs along without waiting. Job states are
 * computed from this clock when asked for, so no timers run in the background.
 */
export class ScaledClock {
  private readonly realStart = performance.now();
  private readonly epochStart = Date.now();
  private offsetMs = 0;

  constructor(readonly timeScale: number) {
    if (!(timeScale > 0) || !Number.isFinite(timeScale)) {
      throw new RangeError(`timeScale must be a positive number, got ${timeScale}`);
    }
  }

  /** Emulated wall-clock time in epoch milliseconds. */
  now(): number {
    return this.epochStart + (performance.now() - this.realStart) * this.timeScale + this.offsetMs;
  }

  /** Moves emulated time forward by `seconds`. */
  advance(seconds: number): void {
    if (!(seconds >= 0)) throw new RangeError(`cannot advance by ${seconds} seconds`);
    this.offsetMs += seconds * 1000;
  }

  /** Real seconds that correspond to `emulatedSeconds`, as a whole number for a Retry-After header. */
  retryAfter(emulatedSeconds: number): number {
    return Math.round(emulatedSeconds / this.timeScale);
  }
}
