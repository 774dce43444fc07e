import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { problem, ProblemType } from '../problem.js';

/** Per-address limits, only on routes that ask for one (`config.rateLimit`); refusals are 429 problems. */
export const rateLimitPlugin = fp(async (app: FastifyInstance) => {
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      problem(429, ProblemType.rateLimited, `Too many requests from this address; retry in ${context.after}.`, {
        headers: { 'retry-after': String(Math.max(1, Math.ceil(context.ttl / 1000))) },
      }),
  });
}, { name: 'rate-limit' });
