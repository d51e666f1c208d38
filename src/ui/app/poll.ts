import { useEffect, useRef, useState } from 'preact/hooks';

export interface Polled<T> {
  data: T | null;
  error: Error | null;
  /** Loads again now (after an action). */
  reload: () => void;
}

/** How often the pages poll: fast while something is live, slowly otherwise (a schedule may start a run). */
export const LIVE_MS = 1000;
export const IDLE_MS = 5000;

/**
 * Loads with `load` (given the previous data, to reuse what cannot have changed), then again after
 * `every(data)` ms; stops on unmount. New `keys` start afresh; a failed load keeps the last data.
 */
export function usePoll<T>(
  load: (previous: T | null) => Promise<T>,
  keys: unknown[],
  every: (data: T | null) => number = () => IDLE_MS,
): Polled<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [tick, setTick] = useState(0);
  const held = useRef({ keys: '', last: null as T | null });
  const keyString = JSON.stringify(keys);

  useEffect(() => {
    if (held.current.keys !== keyString) {
      held.current = { keys: keyString, last: null };
      setData(null);
    }
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const step = async (): Promise<void> => {
      try {
        const next = await load(held.current.last);
        if (stopped) return;
        held.current.last = next;
        setData(next);
        setError(null);
      } catch (e) {
        if (stopped) return;
        setError(e instanceof Error ? e : new Error(String(e)));
      }
      timer = setTimeout(() => void step(), every(held.current.last));
    };
    void step();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [keyString, tick]);

  return { data, error, reload: () => setTick((t) => t + 1) };
}
