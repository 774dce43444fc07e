import { listenToChannel } from '../../db/notifications.js';
import type { Logger } from '../../logger.js';
import type { Stoppable } from '../../runtime/lifecycle.js';
import type { Principal } from './principal.js';

interface Entry {
  principal: Principal;
  /** The session's own end (ms): a cached principal never outlives its token. */
  expiresAt: number;
  storedAt: number;
}

/** The channel the triggers of migration 20261127090000_principal_change_notifications notify. */
export const PRINCIPALS_CHANGED_CHANNEL = 'principals_changed';

/** However quiet the invalidation channel, nothing is trusted longer than this without asking PostgreSQL again. */
export const PRINCIPAL_MAX_AGE_MS = 30_000;
const MAX_ENTRIES = 10_000;

/**
 * Who is behind each recently seen bearer token, keyed by the token's hash, so an authenticated request does
 * not have to ask PostgreSQL first (that statement was a third of a statement page's time).
 *
 * It is only correct while it hears every change. Triggers on `sessions` and `users` send a notification on
 * any update or delete (a logout, a password change, new roles; from any process, or psql), and any
 * notification forgets everything: such changes are rare, reads are not. While nothing listens (not started
 * yet, or the connection was lost) it remembers nothing, so every request reads the database.
 *
 * A read that began before a change may finish after it was announced: `remember` refuses an answer read
 * under an older generation than the current one, so such an answer is never kept.
 */
export class PrincipalCache {
  private readonly entries = new Map<string, Entry>();
  private current = 0;
  private listening = false;

  /** Take this before reading the database; hand it back to `remember`. */
  generation(): number {
    return this.current;
  }

  get(tokenHash: string, now: Date): Principal | undefined {
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    const at = now.getTime();
    if (entry.expiresAt <= at || at - entry.storedAt >= PRINCIPAL_MAX_AGE_MS || at < entry.storedAt) {
      this.entries.delete(tokenHash);
      return undefined;
    }
    return entry.principal;
  }

  remember(tokenHash: string, principal: Principal, expiresAt: Date, readAt: number, now: Date): void {
    if (!this.listening || readAt !== this.current) return;
    // Oldest first in a Map: past the bound, the longest-held entry goes.
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(tokenHash, { principal, expiresAt: expiresAt.getTime(), storedAt: now.getTime() });
  }

  /** A session or user changed (here or anywhere): nothing cached may be trusted. */
  forgetAll(): void {
    this.current++;
    this.entries.clear();
  }

  /** The notification channel is (re)established, or lost: either way, what was cached is dropped. */
  setListening(listening: boolean): void {
    this.listening = listening;
    this.forgetAll();
  }

  get isListening(): boolean {
    return this.listening;
  }
}

/** Listens for changes to sessions and users (any process, any client) and keeps `cache` honest. */
export function keepPrincipalCacheCurrent(databaseUrl: string, cache: PrincipalCache, log: Logger): Stoppable {
  return listenToChannel(
    databaseUrl,
    PRINCIPALS_CHANGED_CHANNEL,
    { onListening: () => cache.setListening(true), onNotification: () => cache.forgetAll(), onLost: () => cache.setListening(false) },
    log,
  );
}
