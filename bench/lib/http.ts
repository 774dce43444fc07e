/** A small JSON client for the API under benchmark: throws with the problem body on an unexpected status. */
export class Api {
  constructor(readonly baseUrl: string) {}

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
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    const expect = options.expect ?? [200, 201, 202, 204];
    if (!expect.includes(response.status)) {
      throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
    }
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  }
}

export const bearer = (token: string) => `Bearer ${token}`;
export const apiKey = (key: string) => `ApiKey ${key}`;
