import http from 'node:http';

/**
 * A small JSON client for the API under benchmark: throws with the problem body on an unexpected status.
 *
 * Node's own `http` with a keep-alive agent, not `fetch`: the raw baselines use `pg`, the leanest client there
 * is, and `fetch` (undici's WHATWG streams) costs this process about 0.5 ms more per request than `http`
 * (measured on a statement page: p50 4.6 against 4.0 ms), CPU that a 2-core machine then takes from the service
 * being measured.
 */
export class Api {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  private readonly url: URL;

  constructor(readonly baseUrl: string) {
    this.url = new URL(baseUrl);
  }

  async request<T>(
    method: string,
    path: string,
    options: { auth?: string; body?: unknown; rawBody?: string; expect?: number[]; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.auth) headers.authorization = options.auth;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = http.request({ host: this.url.hostname, port: this.url.port, path, method, headers, agent: this.agent }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        response.on('error', reject);
      });
      request.on('error', reject);
      request.end(body);
    });
    const expect = options.expect ?? [200, 201, 202, 204];
    if (!expect.includes(status)) {
      throw new Error(`${method} ${path} answered ${status}: ${text.slice(0, 500)}`);
    }
    return { status, body: (text ? JSON.parse(text) : null) as T };
  }

  /** Lets the process exit: keep-alive sockets would otherwise hold it open. */
  close(): void {
    this.agent.destroy();
  }
}

export const bearer = (token: string) => `Bearer ${token}`;
export const apiKey = (key: string) => `ApiKey ${key}`;
