// Revealed values of one table, each masked again after the session's revealSeconds. A value lives
// only in this state: never fetched for the table, forgotten on mask, on maskAll and on unmount.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Reveals {
  revealed: Record<string, string>;
  /** Shows `value` under `key` and starts its re-mask timer. */
  show(key: string, value: string): void;
  mask(key: string): void;
  maskAll(): void;
}

export function useReveals(seconds: number): Reveals {
  const [revealed, setRevealed] = useState<Record<string, string>>({});
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const mask = useCallback((key: string) => {
    clearTimeout(timers.current.get(key));
    timers.current.delete(key);
    setRevealed(({ [key]: _gone, ...rest }) => rest);
  }, []);
  const maskAll = useCallback(() => {
    for (const t of timers.current.values()) clearTimeout(t);
    timers.current.clear();
    setRevealed({});
  }, []);
  useEffect(() => maskAll, [maskAll]);
  const show = useCallback((key: string, value: string) => {
    setRevealed((m) => ({ ...m, [key]: value }));
    clearTimeout(timers.current.get(key));
    timers.current.set(key, setTimeout(() => mask(key), seconds * 1000));
  }, [seconds, mask]);
  return { revealed, show, mask, maskAll };
}
