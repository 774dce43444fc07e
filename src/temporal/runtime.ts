import { DefaultLogger, type LogLevel as TemporalLogLevel, Runtime } from '@temporalio/worker';
import type { Logger } from '../logger.js';

/**
 * Installs the Temporal SDK runtime once per process: its logs go through our pino logger, its worker metrics
 * to a Prometheus exporter, and it installs no signal handlers of its own, because src/runtime/lifecycle.ts
 * owns the shutdown order (API first, then worker, then embedded services).
 */
export function installTemporalRuntime(log: Logger, metricsPort: number): void {
  const temporalLog = log.child({ component: 'temporal-sdk' });
  const levels: Record<TemporalLogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
    TRACE: 'trace',
    DEBUG: 'debug',
    INFO: 'info',
    WARN: 'warn',
    ERROR: 'error',
  };
  Runtime.install({
    shutdownSignals: [],
    logger: new DefaultLogger('WARN', (entry) => {
      const { message, meta } = entry;
      temporalLog[levels[entry.level]]({ ...meta }, message);
    }),
    telemetryOptions:
      metricsPort > 0 ? { metrics: { prometheus: { bindAddress: `127.0.0.1:${metricsPort}` } } } : {},
  });
}
