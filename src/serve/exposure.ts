/**
 * Who may talk to the service. Bound to loopback, only local names may appear in the Host header (a web page
 * that rebinds its DNS name to 127.0.0.1 sends its own name there), and a request from a browser page of
 * another origin is refused: multipart uploads need no CORS preflight, so any page could otherwise make the
 * service do upload work. No CORS headers are sent. With a token, every route but /healthz and the page's own
 * files needs it, as `Authorization: Bearer <token>` or the same-site cookie the page sets from `/#token=<token>`.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';
import { TOKEN_COOKIE } from './token-cookie.js';

export interface ExposureOptions {
  /** Host names (without port) the Host header may carry; default the loopback names; `*` allows any. */
  allowedHosts?: string[];
  /** A token every route but /healthz and the page's files needs (`Authorization: Bearer <token>`). */
  token?: string;
}

export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];
/** The page and its script and stylesheet hold no data: they load without the token and then send it. */
const PUBLIC_PATHS = new Set(['/healthz', '/readyz', '/', '/gallery', '/app.js', '/style.css']);

/** Whether an interface or client address is this machine only (IPv4-mapped IPv6 included). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^(?:::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/i.test(host);
}

/** The host name of a Host header or an origin's authority, without the port. */
function hostName(authority: string): string {
  const m = /^(\[[^\]]*\]|[^:]*)(?::\d*)?$/.exec(authority.trim().toLowerCase());
  return m ? m[1] : '';
}

/** The host and port of a URL as URL normalises them; '' for what is not a URL. */
function authorityOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return '';
  }
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function installExposureChecks(app: FastifyInstance, opts: ExposureOptions): void {
  const allowed = new Set((opts.allowedHosts ?? LOOPBACK_HOSTS).map((h) => h.toLowerCase()));
  app.addHook('onRequest', async (req: FastifyRequest) => {
    const host = req.headers.host ?? '';
    if (!allowed.has('*') && !allowed.has(hostName(host))) throw new HttpError(403, `host: '${host}' is not an allowed host name of this service`);
    const origin = req.headers.origin;
    // Both sides through URL, which drops a default port (`Origin: http://localhost:80` is `Host: localhost:80`).
    if (origin !== undefined && (origin === 'null' || authorityOf(origin) !== authorityOf(`http://${host}`))) {
      throw new HttpError(403, `origin: requests from ${origin === 'null' ? 'an opaque origin' : origin} are refused (no CORS)`);
    }
    if (opts.token !== undefined && !PUBLIC_PATHS.has(req.url.split('?')[0])) {
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const cookie = new RegExp(`(?:^|;\\s*)${TOKEN_COOKIE}=([^;]*)`).exec(req.headers.cookie ?? '')?.[1];
      const given = bearer ?? (cookie === undefined ? '' : safeDecode(cookie));
      if (!sameToken(given, opts.token)) throw new HttpError(401, 'authorization: this service needs its token (Authorization: Bearer <token>, or open the page as /#token=<token>)');
    }
  });
}
