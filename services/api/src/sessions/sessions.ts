import { randomBytes, timingSafeEqual } from 'node:crypto';
import { CrosswalkError } from '@crosswalk/core';
import type { ApiKeyView, Runtime } from '@crosswalk/runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Session, SessionStore } from './store.js';

/** The session cookie's name. Its value is a random id; the API key it stands for never leaves the server. */
export const SESSION_COOKIE = 'cw_session';
/** The header a write made with the session cookie carries: the CSRF token the login answered with. */
export const CSRF_HEADER = 'x-csrf-token';

/**
 * Failed logins a client (by address) may make per window before login refuses it (429) until the window ends.
 * Keys are 256-bit secrets, so this is not what keeps them from being guessed; it keeps a login form from being
 * a free oracle and its failures from filling the logs.
 */
export const MAX_FAILED_LOGINS = 10;
export const FAILED_LOGIN_WINDOW_SECONDS = 900;

/** 32 random bytes, base64url: the shape of a session id and of a CSRF token. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

const newToken = () => randomBytes(32).toString('base64url');

/** What login and `GET /v1/session` answer: the key (no secret), the CSRF token and when the login ends. */
export interface SessionBody {
  key: Pick<ApiKeyView, 'id' | 'name' | 'role' | 'scope'>;
  csrfToken: string;
  expiresAt: string;
}

export interface ResolvedSession {
  id: string;
  session: Session;
  key: ApiKeyView;
}

/**
 * Logins exchanged for API keys. The key is checked once, at login; afterwards the session names the key's id
 * and every request reads the key again (cached as for Bearer use), so a revoked or expired key ends its sessions
 * at once. Reads the cookie through @fastify/cookie (registered by the session plugin).
 */
export class Sessions {
  constructor(
    private readonly runtime: Runtime,
    private readonly store: SessionStore,
  ) {}

  /**
   * Exchanges a valid API key for a new session. A client (by address) with MAX_FAILED_LOGINS failures in its
   * window is refused before its key is even looked at, until the window ends.
   */
  async login(
    token: string,
    client: string,
  ): Promise<
    | { ok: true; id: string; body: SessionBody }
    | { ok: false; reason: 'invalid' }
    | { ok: false; reason: 'throttled'; retryAfter: number }
  > {
    const failed = await this.store.failures(client);
    if (failed.count >= MAX_FAILED_LOGINS)
      return { ok: false, reason: 'throttled', retryAfter: failed.retryAfter };
    const key = await this.runtime.keys.authenticate(token);
    if (!key) {
      await this.store.addFailure(client, FAILED_LOGIN_WINDOW_SECONDS);
      return { ok: false, reason: 'invalid' };
    }
    const now = new Date();
    const lasts = new Date(now.getTime() + this.runtime.env.CROSSWALK_SESSION_SECONDS * 1000).toISOString();
    const session: Session = {
      keyId: key.id,
      csrfToken: newToken(),
      createdAt: now.toISOString(),
      expiresAt: key.expiresAt !== null && key.expiresAt < lasts ? key.expiresAt : lasts,
    };
    const id = newToken();
    await this.store.put(id, session);
    return { ok: true, id, body: bodyOf(session, key) };
  }

  /** The request's session, when its cookie names one that is live and whose key is still valid. */
  async resolve(request: FastifyRequest): Promise<ResolvedSession | undefined> {
    const id = request.cookies[SESSION_COOKIE];
    if (id === undefined || !TOKEN.test(id)) return undefined;
    const session = await this.store.get(id);
    if (!session) return undefined;
    const key = await this.runtime.keys.current(session.keyId);
    if (!key) {
      // Revoked or expired since the login: the session ends with it.
      await this.store.delete(id);
      return undefined;
    }
    return { id, session, key };
  }

  async logout(id: string): Promise<void> {
    await this.store.delete(id);
  }
}

export function bodyOf(session: Session, key: ApiKeyView): SessionBody {
  return {
    key: { id: key.id, name: key.name, role: key.role, scope: key.scope },
    csrfToken: session.csrfToken,
    expiresAt: session.expiresAt,
  };
}

/** Reads change nothing; every other method made with the cookie must prove it came from the console's page. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses a write made with the session cookie unless `x-csrf-token` equals the session's token (compared in
 * constant time). SameSite=Strict already keeps the cookie off cross-site requests; this holds when a browser or
 * a sibling subdomain does not.
 */
export function assertCsrf(request: FastifyRequest, session: Session): void {
  if (SAFE_METHODS.has(request.method)) return;
  const given = request.headers[CSRF_HEADER];
  const ok =
    typeof given === 'string' &&
    given.length === session.csrfToken.length &&
    timingSafeEqual(Buffer.from(given), Buffer.from(session.csrfToken));
  if (!ok) {
    throw new CrosswalkError(
      'CW_FORBIDDEN',
      `a ${request.method} made with the session cookie needs the ${CSRF_HEADER} header set to the csrfToken the login answered with`,
      { where: `headers.${CSRF_HEADER}` },
    );
  }
}

/** Secure when the request came over TLS here, or people reach the API over https through a proxy. */
function secure(request: FastifyRequest, runtime: Runtime): boolean {
  return request.protocol === 'https' || runtime.env.CROSSWALK_PUBLIC_URL?.startsWith('https:') === true;
}

export function setSessionCookie(
  reply: FastifyReply,
  request: FastifyRequest,
  runtime: Runtime,
  id: string,
  expiresAt: string,
): void {
  reply.setCookie(SESSION_COOKIE, id, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: secure(request, runtime),
    maxAge: Math.max(1, Math.floor((Date.parse(expiresAt) - Date.now()) / 1000)),
  });
}

export function clearSessionCookie(reply: FastifyReply, request: FastifyRequest, runtime: Runtime): void {
  reply.clearCookie(SESSION_COOKIE, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: secure(request, runtime),
  });
}
