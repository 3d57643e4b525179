// Cross-instance invalidation of the rows PostgresStorage caches. A change that other instances must
// see (a token revoked, organization keys re-wrapped) sends NOTIFY in its transaction; PostgreSQL
// delivers it to every listening instance when the transaction commits, typically within
// milliseconds. Each notification, and each loss of the listening connection, clears the caches and
// starts a new generation: a row read before the clear is not cached after it, and while the
// connection is down nothing is cached at all (a notification missed meanwhile cannot leave a revoked
// token honoured). The connection is re-established in the background.
import pg from 'pg';

export const CHANGES_CHANNEL = 'secrets_changes';
/** Change events (live event streams): the payload is the environment's id. */
export const CHANGE_EVENTS_CHANNEL = 'secrets_change_events';

export interface ChangeEventHandlers {
  /** A change of this environment committed (through any instance). */
  changed: (environmentId: string) => void;
  /** The connection was re-established: notifications may have been missed meanwhile. */
  reconnected: () => void;
}
const RECONNECT_MS = 250;

export class CacheListener {
  private readonly url: string;
  private readonly types: pg.CustomTypesConfig;
  private readonly onClear: () => void;
  private readonly events: ChangeEventHandlers | undefined;
  private client: pg.Client | null = null;
  private connected = false;
  private gen = 0;
  private stopped = false;
  private first: Promise<void>;
  private timer: NodeJS.Timeout | null = null;

  constructor(url: string, types: pg.CustomTypesConfig, onClear: () => void, events?: ChangeEventHandlers) {
    this.url = url;
    this.types = types;
    this.onClear = onClear;
    this.events = events;
    this.first = this.connect();
  }

  /** Resolves once the first LISTEN succeeded (rejects if it failed). */
  ready(): Promise<void> {
    return this.first;
  }

  /** Capture before reading a row; pass to `trusted` before caching it. */
  generation(): number {
    return this.gen;
  }

  trusted(generation: number): boolean {
    return this.connected && generation === this.gen;
  }

  private clear(): void {
    this.gen++;
    this.onClear();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, types: this.types });
    client.on('notification', (n) => {
      if (n.channel === CHANGE_EVENTS_CHANNEL) {
        if (n.payload) this.events?.changed(n.payload);
      } else this.clear();
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    this.client = client;
    await client.connect();
    await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    await client.query(`LISTEN ${CHANGE_EVENTS_CHANNEL}`);
    // Whatever changed while nobody listened is unknown: start from empty caches.
    this.clear();
    this.connected = true;
    this.events?.reconnected();
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.connected = false;
    this.client = null;
    this.clear();
    client.end().catch(() => undefined);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.stopped) return;
      this.connect().catch(() => {
        const failed = this.client;
        if (failed) this.lost(failed);
      });
    }, RECONNECT_MS);
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    this.connected = false;
    await client?.end().catch(() => undefined);
  }
}
