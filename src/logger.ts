import { pino, type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger };

/** JSON lines in production (for log shippers), colourless pretty lines in development (for people). */
export function createLogger(config: Pick<Config, 'env' | 'logLevel'>, name = 'billing-center'): Logger {
  const base = { name, level: config.logLevel };
  if (config.env === 'production') return pino(base);
  return pino({
    ...base,
    transport: {
      target: 'pino-pretty',
      options: { colorize: false, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true },
    },
  });
}
