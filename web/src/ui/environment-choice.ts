// Which environment a secrets table shows: development when there is one, else the first, until the
// person picks another. The default is taken in the first render when the environments are known, and
// otherwise as they arrive, never over a choice already made: an effect deciding from the value of an
// earlier render ran after the page was painted, so a pick made in between was silently undone.
import { useEffect, useState } from 'preact/hooks';
import type { Environment } from '../../../core/api-types.ts';

const preferred = (envs: readonly Environment[]): string | null => envs.find((e) => e.slug === 'development')?.slug ?? envs[0]?.slug ?? null;

export function useEnvironmentChoice(envs: readonly Environment[]): [string | null, (slug: string) => void] {
  const [env, setEnv] = useState<string | null>(() => preferred(envs));
  useEffect(() => {
    if (envs.length > 0) setEnv((chosen) => chosen ?? preferred(envs));
  }, [envs]);
  return [env, setEnv];
}
