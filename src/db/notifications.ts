import pg from 'pg';
import type { Logger } from '../logger.js';
import type { Stoppable } from '../runtime/lifecycle.js';

/** How often the listening connection proves it is alive; a silent network loss is noticed within this and the timeout. */
const HEARTBEAT_MS = 5_000;
const HEARTBEAT_TIMEOUT_MS = 5_000;
const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 30_000;

export interface ChannelListener {
  /** LISTEN is in place: from now on every notification on the channel arrives. */
  onListening(): void;
  onNotification(): void;
  /** The connection is gone: notifications sent from now until the next `onListening` are lost. */
  onLost(): void;
}

/**
 * LISTENs on one PostgreSQL channel over a connection of its own (Prisma cannot LISTEN), and keeps listening:
 * a lost connection is reported at once and re-established with backoff. It runs no queries for anyone else.
 */
export function listenToChannel(databaseUrl: string, channel: string, listener: ChannelListener, log: Logger): Stoppable {
  let stopped = false;
  let client: pg.Client | null = null;
  let heartbeat: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;
  let delay = RECONNECT_MIN_MS;

  const lose = (connection: pg.Client, reason: unknown): Promise<void> => {
    if (client !== connection) return Promise.resolve(); // already handled
    client = null;
    clearInterval(heartbeat);
    listener.onLost();
    const ended = connection.end().catch(() => undefined);
    if (stopped) return ended;
    log.warn({ channel, err: reason, retryInMs: delay }, 'lost the database notification channel; reconnecting');
    retry = setTimeout(connect, delay);
    delay = Math.min(delay * 2, RECONNECT_MAX_MS);
    return ended;
  };

  const connect = async () => {
    const connection = new pg.Client({
      connectionString: databaseUrl,
      keepAlive: true,
      query_timeout: HEARTBEAT_TIMEOUT_MS,
      application_name: `billing-center listen ${channel}`,
    });
    client = connection;
    connection.on('error', (error) => void lose(connection, error));
    connection.on('end', () => void lose(connection, 'connection ended'));
    connection.on('notification', (message) => {
      if (message.channel === channel) listener.onNotification();
    });
    try {
      await connection.connect();
      await connection.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      void lose(connection, error);
      return;
    }
    if (client !== connection) return;
    delay = RECONNECT_MIN_MS;
    listener.onListening();
    heartbeat = setInterval(() => {
      connection.query('SELECT 1').catch((error: unknown) => lose(connection, error));
    }, HEARTBEAT_MS);
    heartbeat.unref();
  };

  void connect();
  return {
    name: `database notifications (${channel})`,
    async stop() {
      stopped = true;
      clearTimeout(retry);
      if (client) await lose(client, 'stopped');
    },
  };
}
