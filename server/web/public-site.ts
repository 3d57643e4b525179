// The address people reach the server at (SECRETS_PUBLIC_URL): the WebAuthn relying party (its host
// name is the rpID, its origin the only origin a ceremony may come from), the only Origin a browser
// request carrying the session cookie may come from, and the base of invitation links. Passkeys are
// bound to a host name, so the default is http://localhost:PORT, never an IP address; with PORT=0 the
// port is known only once the server listens, hence `bind`.

export class PublicUrlError extends Error {
  readonly code = 'CONFIG_INVALID';
}

/** Refuses anything but an http(s) origin with an optional trailing slash (no path, query, fragment or credentials). */
export function parsePublicUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new PublicUrlError(`SECRETS_PUBLIC_URL must be a URL such as https://secrets.example.com, got "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new PublicUrlError(`SECRETS_PUBLIC_URL must be http or https, got "${text}"`);
  if (url.username || url.password || url.search || url.hash || url.pathname !== '/') {
    throw new PublicUrlError(`SECRETS_PUBLIC_URL must be an origin only (no path, query, fragment or credentials), got "${text}"`);
  }
  return url;
}

export class PublicSite {
  private url: URL | undefined;

  constructor(configured: URL | undefined) {
    this.url = configured;
  }

  /** Called once the server listens: without a configured URL it becomes http://localhost:<port>. */
  bind(port: number): void {
    this.url ??= new URL(`http://localhost:${port}`);
  }

  private get current(): URL {
    if (!this.url) throw new Error('the public URL is not known before the server listens');
    return this.url;
  }

  /** `https://secrets.example.com` (no trailing slash). */
  get origin(): string {
    return this.current.origin;
  }

  /** The WebAuthn relying party id: the host name without port. */
  get rpId(): string {
    return this.current.hostname;
  }

  /** Cookies are Secure (and __Host- prefixed) when people reach the server over TLS. */
  get secure(): boolean {
    return this.current.protocol === 'https:';
  }
}
