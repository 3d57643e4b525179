// The list of one environment's secrets (the organization's, or a workspace's effective set), loaded
// again whenever the path changes. A slower answer for a path the user has already left is dropped, so
// switching environments quickly can never show one environment's keys under another's name.
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
}

/** `base`: the secrets collection path, or null while no environment is chosen. */
export function useSecretList(base: string | null): SecretList {
  const [secrets, setSecrets] = useState<SecretMeta[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const current = useRef(base);
  current.current = base;
  const reload = useCallback(async () => {
    if (!base) return;
    try {
      const list = (await api<{ secrets: SecretMeta[] }>('GET', base)).secrets;
      if (current.current !== base) return;
      setSecrets(list);
      setError(null);
    } catch (err) {
      if (current.current !== base) return;
      setSecrets([]);
      setError(errorMessage(err));
    }
  }, [base]);
  useEffect(() => {
    setSecrets(null);
    void reload();
  }, [reload]);
  return { secrets, error, setError, reload };
}
