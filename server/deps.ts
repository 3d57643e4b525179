// What route handlers need from the running server.
import type { Clock } from './clock.ts';
import type { Keyring } from './crypto/keyring.ts';
import type { RevealCache } from './crypto/reveal-cache.ts';
import type { ServerLimits } from './limits.ts';
import type { Storage } from './storage/types.ts';
import type { PublicSite } from './web/public-site.ts';

export interface Deps {
  storage: Storage;
  keyring: Keyring;
  revealCache: RevealCache;
  clock: Clock;
  limits: ServerLimits;
  site: PublicSite;
}
