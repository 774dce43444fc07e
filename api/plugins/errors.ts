import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError, type DomainErrorKind } from '../../src/domain/errors.js';
import { InvalidAmountError } from '../../src/domain/money.js';
import { PROBLEM_CONTENT_TYPE, problem, ProblemError, problemTypeUri, ProblemType, type FieldError } from '../problem.js';

/**
 * Turns every failure into problem+json. Known client mistakes keep their 4xx; anything else is a 500 whose
 * details stay in the log (with the request id), never in the response.
 */

function fieldPath(part: string | undefined, error: { instancePath?: string; params?: Record<string, unknown> }): string {
  // Fastify calls the query string `querystring`; clients know it as the query.
  const name = part === 'querystring' ? 'query' : (part ?? 'body');
  const base = `/${name}${error.instancePath ?? ''}`;
  const missing = error.params?.missingProperty ?? error.params?.additionalProperty;
  return typeof missing === 'string' ? `${base}/${missing}` : base;
}

const STATUS: Record<DomainErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  business_rule: 422,
  rate_limited: 429,
  unavailable: 503,
};

function fromDomainError(error: DomainError): ProblemError {
  const retry = error.extra.retryAfterSeconds;
  return problem(STATUS[error.kind], error.code, error.message, {
    ...(error.extra.fields ? { errors: error.extra.fields } : {}),
    ...(retry === undefined ? {} : { headers: { 'retry-after': String(retry) } }),
  });
}

function fromFastifyError(error: FastifyError): ProblemError | undefined {
  if (error instanceof ProblemError) return error;
  if (error instanceof DomainError) return fromDomainError(error);
  if (error instanceof InvalidAmountError) {
    return problem(400, ProblemType.validation, error.message, { errors: [{ path: `/body${error.field}`, message: error.message }] });
  }
  if (error.validation) {
    const errors: FieldError[] = error.validation.map((v) => ({
      path: fieldPath(error.validationContext, v as { instancePath?: string; params?: Record<string, unknown> }),
      message: v.message ?? 'is invalid',
    }));
    return problem(400, ProblemType.validation, 'The request does not match its schema.', { errors });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem(413, ProblemType.payloadTooLarge, 'The request body is larger than this server accepts.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem(415, ProblemType.unsupportedMediaType, 'Send the body as application/json.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problem(400, ProblemType.malformedJson, 'The request body is not valid JSON.');
  }
  if (error instanceof SyntaxError && error.statusCode === 400) {
    return problem(400, ProblemType.malformedJson, 'The request body is not valid JSON.');
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // A client error Fastify or a plugin raised: keep its status, replace its wording with ours.
    return problem(status, status === 429 ? ProblemType.rateLimited : ProblemType.validation, error.message);
  }
  return undefined;
}

export function sendProblem(reply: FastifyReply, error: ProblemError): FastifyReply {
  for (const [name, value] of Object.entries(error.headers ?? {})) reply.header(name, value);
  return reply
    .code(error.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send({
      type: problemTypeUri(error.type),
      title: error.title,
      status: error.status,
      ...(error.detail === undefined ? {} : { detail: error.detail }),
      ...(error.errors === undefined ? {} : { errors: error.errors }),
      instance: reply.request.url,
      requestId: reply.request.id,
    });
}

export const errorsPlugin = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const known = fromFastifyError(error);
    if (known) {
      if (known.status >= 500) request.log.error({ err: error }, 'request failed');
      return sendProblem(reply, known);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, problem(500, ProblemType.internal, 'Something went wrong on our side; the request id identifies it in our logs.'));
  });

  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) =>
    sendProblem(reply, problem(404, ProblemType.notFound, `No route ${request.method} ${request.url.split('?')[0]}.`)),
  );
}, { name: 'errors' });
