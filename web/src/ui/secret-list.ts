// The list of one environment's secrets (the organization's, or a workspace's effective set), loaded
// again whenever the path changes. What was loaded is kept with the path it came from and shown only
// while that path is the current one, and a slower answer for a path the user has already left is
// dropped: switching environments can never show one environment's keys under another's name, not
// even for the frame before the new list is asked for.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { SecretMeta } from '../../../core/api-types.ts';
import { api, errorMessage } from '../api.ts';

export interface SecretList {
  /** null while loading. */
  secrets: SecretMeta[] | null;
  error: string | null;
  setError(message: string | null): void;
  /** Asks the server again (after a change made through this page). */
  reload(): Promise<void>;
  /** Whether `path` is still the one shown: an answer about an earlier one (a reveal) is dropped. */
  isCurrent(path: string): boolean;
}

interface Loaded {
  base: string;
  secrets: SecretMeta[];
  error: string | null;
}

/** `base`: the secrets collection path, or null while no environment is chosen. */
export function useSecretList(base: string | null): SecretList {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [ownError, setOwnError] = useState<{ base: string | null; message: string | null }>({ base, message: null });
  const current = useRef(base);
  current.current = base;
  const reload = useCallback(async () => {
    if (!base) return;
    try {
      const list = (await api<{ secrets: SecretMeta[] }>('GET', base)).secrets;
      if (current.current !== base) return;
      setLoaded({ base, secrets: list, error: null });
      setOwnError({ base, message: null });
    } catch (err) {
      if (current.current === base) setLoaded({ base, secrets: [], error: errorMessage(err) });
    }
  }, [base]);
  useEffect(() => {
    void reload();
  }, [reload]);
  const fresh = loaded !== null && loaded.base === base ? loaded : null;
  const setError = useCallback((message: string | null) => setOwnError({ base: current.current, message }), []);
  const isCurrent = useCallback((path: string) => current.current === path, []);
  return {
    secrets: fresh ? fresh.secrets : null,
    error: ownError.base === base && ownError.message !== null ? ownError.message : fresh?.error ?? null,
    setError,
    reload,
    isCurrent,
  };
}
