import type { Static, TSchema } from 'typebox';
import { Value } from 'typebox/value';
import type { CloudProvider } from '../domain/identity/cloud-account-id.js';
import { MarketplaceRefused, MarketplaceThrottled, MarketplaceUnavailable } from './marketplace.js';
import { refusalOf } from './wire.js';

/**
 * One JSON call to a marketplace, with its answer checked against the protocol's schema. A refusal the
 * provider names (its error code, read by `errorName`) becomes `MarketplaceRefused` or `MarketplaceThrottled`;
 * no answer, a 5xx or an unreadable one becomes `MarketplaceUnavailable`, which is worth retrying.
 */
export async function callMarketplace<S extends TSchema>(options: {
  provider: CloudProvider;
  baseUrl: string | undefined;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  response: S;
  errorName: (body: Record<string, unknown>) => string | undefined;
  timeoutMs?: number;
}): Promise<Static<S>> {
  const { provider, baseUrl, method, path } = options;
  if (!baseUrl) throw new MarketplaceRefused('not_configured', `No ${provider} marketplace is configured.`);
  const what = `${provider} ${method} ${path}`;
  let response: Response;
  try {
    // Appended, not resolved: a base URL with a path (the sandbox's /aws) keeps its path.
    response = await fetch(`${baseUrl.replace(/\/+$/, '')}${path}`, {
      method,
      ...(options.body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(options.body) }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    throw new MarketplaceUnavailable(`The ${provider} marketplace did not answer ${what}: ${(error as Error).message}`);
  }
  const text = await response.text().catch(() => '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (response.status >= 500) throw new MarketplaceUnavailable(`The ${provider} marketplace answered ${what} with ${response.status}.`);
  if (response.status >= 400) {
    const body = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    const code = refusalOf(provider, options.errorName(body));
    const message = `The ${provider} marketplace refused ${what} (${response.status}): ${String(body.message ?? body.Message ?? body.error_msg ?? text.slice(0, 300))}`;
    if (response.status === 429 || code === 'throttled') {
      const seconds = Number(response.headers.get('retry-after') ?? '60');
      throw new MarketplaceThrottled((Number.isFinite(seconds) && seconds > 0 ? seconds : 60) * 1000, message);
    }
    throw new MarketplaceRefused(code ?? 'invalid', message);
  }
  if (!Value.Check(options.response, parsed)) throw new MarketplaceUnavailable(`The ${provider} marketplace answered ${what} with something unreadable.`);
  return parsed;
}
