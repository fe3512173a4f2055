/**
 * Outgoing calls to model backends. A backend URL comes from an admin, but what it resolves to can
 * change (DNS), so each call resolves the host itself, refuses private, loopback, link-local and
 * other non-public addresses unless the backend is allow-listed, and connects to exactly the address
 * it checked. No redirects are followed, the response is capped in size and time, and nothing of a
 * user's session is sent: only JSON, and the backend's own Basic credentials when it has them.
 */
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';

export type OutboundFailure =
  'bad_url' | 'address_refused' | 'unreachable' | 'timeout' | 'redirect' | 'too_large' | 'http_error' | 'bad_json';

export class OutboundError extends Error {
  constructor(
    readonly reason: OutboundFailure,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const)
  blocked.addSubnet(net, bits, 'ipv6');

/** True for an address a backend may not use unless allow-listed (private, loopback, link-local, multicast, reserved). */
export function isNonPublicAddress(address: string): boolean {
  const v = isIP(address);
  if (v === 4) return blocked.check(address, 'ipv4');
  if (v === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return blocked.check(mapped[1]!, 'ipv4');
    return blocked.check(address, 'ipv6');
  }
  return true;
}

export interface OutboundOptions {
  method: 'GET' | 'POST';
  body?: unknown;
  timeoutMs: number;
  maxBytes: number;
  allowPrivate: boolean;
  basicAuth?: { user: string; password: string } | null;
  /**
   * A keep-alive agent of one backend (backendAgent), so that a run's calls reuse connections. Its
   * sockets only ever connect to addresses this module checked for that backend; without one, every
   * call opens its own connection.
   */
  agent?: http.Agent;
}

/** The parsed URL and the one address a call will connect to (checked against the rules above). */
export async function resolveBackendAddress(rawUrl: string, allowPrivate: boolean): Promise<{ url: URL; address: string; family: 4 | 6 }> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new OutboundError('bad_url', `not a URL: ${rawUrl.slice(0, 100)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new OutboundError('bad_url', 'only http and https backends are supported');
  if (url.username || url.password)
    throw new OutboundError('bad_url', "credentials belong in the backend's Basic auth fields, not in its URL");
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let address = host;
  let family: 4 | 6;
  if (isIP(host)) family = isIP(host) as 4 | 6;
  else {
    try {
      const r = await lookup(host);
      address = r.address;
      family = r.family as 4 | 6;
    } catch {
      throw new OutboundError('unreachable', `cannot resolve ${host}`);
    }
  }
  if (!allowPrivate && isNonPublicAddress(address))
    throw new OutboundError(
      'address_refused',
      `${host} is a private, loopback or link-local address (${address}); an admin must allow-list the backend`,
    );
  return { url, address, family };
}

/**
 * A keep-alive agent for the calls of one backend (one pre-annotation run): connections are reused
 * instead of opened per call. Every new socket still connects to the address `callBackend` checked
 * for that call; give each backend its own agent and destroy it when the run ends.
 */
export function backendAgent(url: string, maxSockets: number): http.Agent {
  const options = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets, timeout: 60_000 };
  return url.startsWith('https:') ? new https.Agent(options) : new http.Agent(options);
}

/** Calls `base` + `path` and returns its status and parsed JSON (2xx only; anything else throws an OutboundError). */
export async function callBackend(
  base: string,
  path: string,
  opts: OutboundOptions,
): Promise<{ status: number; json: unknown; ms: number }> {
  const target = base.replace(/\/+$/, '') + path;
  const { url, address, family } = await resolveBackendAddress(target, opts.allowPrivate);
  const body = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(body.length);
  }
  if (opts.basicAuth)
    headers.authorization = `Basic ${Buffer.from(`${opts.basicAuth.user}:${opts.basicAuth.password}`).toString('base64')}`;
  const t0 = performance.now();
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      url,
      {
        method: opts.method,
        headers,
        // Connect to the address that was checked, never to a second answer of the resolver.
        lookup: (_h, _o, cb) => cb(null, [{ address, family }] as never, family),
        servername: isIP(url.hostname) ? undefined : url.hostname,
        agent: opts.agent ?? false,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400) {
          res.resume();
          return reject(new OutboundError('redirect', `the backend answered a redirect (${status}); redirects are not followed`, status));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > opts.maxBytes) {
            req.destroy();
            reject(new OutboundError('too_large', `the reply is larger than ${opts.maxBytes} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('error', (e) => reject(new OutboundError('unreachable', e.message)));
        res.on('end', () => {
          if (size > opts.maxBytes) return;
          const text = Buffer.concat(chunks).toString('utf8');
          if (status < 200 || status >= 300)
            return reject(new OutboundError('http_error', `the backend answered ${status}: ${text.slice(0, 300)}`, status));
          try {
            resolve({ status, json: text ? (JSON.parse(text) as unknown) : null, ms: performance.now() - t0 });
          } catch {
            reject(new OutboundError('bad_json', `the backend's reply is not JSON: ${text.slice(0, 120)}`, status));
          }
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      reject(new OutboundError('timeout', `the backend did not answer within ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', (e) => reject(new OutboundError('unreachable', `cannot reach the backend: ${e.message}`)));
    req.end(body);
  });
}
