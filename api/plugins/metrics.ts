import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

declare module 'fastify' {
  interface FastifyRequest {
    startedAt?: bigint;
  }
}

/**
 * Prometheus metrics: HTTP requests by route and status with latency histograms, process metrics, and (when
 * the worker runs in this process) the Temporal runtime's own metrics appended from its exporter.
 */
export const metricsPlugin = fp(async (app: FastifyInstance, options: { workerMetricsUrl?: string }) => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  app.addHook('onRequest', async (request) => {
    request.startedAt = process.hrtime.bigint();
  });
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, not the URL, so ids do not explode the label set; unmatched URLs share one label.
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    requests.inc(labels);
    if (request.startedAt !== undefined) {
      duration.observe(labels, Number(process.hrtime.bigint() - request.startedAt) / 1e9);
    }
  });

  // Operators' people and machine scrapers (with an API key) alike.
  app.get('/metrics', { config: { access: { roles: ['operator', 'admin'], platform: true } }, schema: { hide: true } }, async (_request, reply) => {
    let text = await registry.metrics();
    if (options.workerMetricsUrl) {
      try {
        const response = await fetch(options.workerMetricsUrl, { signal: AbortSignal.timeout(2000) });
        if (response.ok) text += `\n${await response.text()}`;
      } catch {
        // The worker's exporter is optional: its absence must not hide the API's own metrics.
      }
    }
    return reply.type(registry.contentType).send(text);
  });
}, { name: 'metrics' });
