// What the live server holds, asked directly (not through VS Code): the UI tests' proof that a click
// really changed something.
import { uiWorld } from './world.ts';

export async function valueOnServer(key: string, env = 'development'): Promise<string | undefined> {
  const { seeded } = uiWorld();
  const res = await fetch(`${seeded.url}/v1/orgs/${seeded.org}/environments/${env}/secrets/${key}/reveal`, {
    method: 'POST',
    headers: { authorization: `Bearer ${seeded.ownerToken}` },
    signal: AbortSignal.timeout(15_000),
  });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`reveal ${key} answered ${res.status}`);
  return ((await res.json()) as { value: string }).value;
}
