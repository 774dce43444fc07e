/**
 * The one way the API says no: RFC 9457 problem details with a stable `type` per kind of refusal.
 * Route handlers and services throw `problem(...)`; api/plugins/errors.ts renders it.
 */

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Stable problem types. Clients match on these, so they never change meaning. */
export const ProblemType = {
  validation: 'validation',
  malformedJson: 'malformed-json',
  notFound: 'not-found',
  methodNotAllowed: 'method-not-allowed',
  unauthenticated: 'unauthenticated',
  forbidden: 'forbidden',
  conflict: 'conflict',
  payloadTooLarge: 'payload-too-large',
  unsupportedMediaType: 'unsupported-media-type',
  businessRule: 'business-rule',
  rateLimited: 'rate-limited',
  notReady: 'not-ready',
  internal: 'internal',
} as const;

export type ProblemTypeName = (typeof ProblemType)[keyof typeof ProblemType];

export function problemTypeUri(type: string): string {
  return `urn:billing-center:problem:${type}`;
}

export interface FieldError {
  /** JSON pointer into the request, prefixed by its part: `/body/amount`, `/query/limit`. */
  path: string;
  message: string;
}

export class ProblemError extends Error {
  override name = 'ProblemError';
  constructor(
    readonly status: number,
    readonly type: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail ?? title);
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problem(
  status: number,
  type: string,
  detail?: string,
  extra: { errors?: FieldError[]; headers?: Record<string, string>; title?: string } = {},
): ProblemError {
  return new ProblemError(status, type, extra.title ?? TITLES[status] ?? 'Error', detail, extra.errors, extra.headers);
}
