/** A tiny browser-like HTTP client for tests: keeps the session cookie and sends the CSRF token. */
export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export class ApiClient {
  cookie = '';
  csrf = '';
  constructor(readonly baseUrl: string) {}

  async login(username: string, password: string): Promise<ApiResponse> {
    const r = await this.request('POST', '/api/auth/login', { username, password });
    if (r.status === 200) this.csrf = r.body.csrfToken;
    return r;
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
    opts: { csrf?: boolean; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...opts.headers };
    if (this.cookie) headers.cookie = this.cookie;
    if (opts.csrf !== false && this.csrf && method !== 'GET') headers['x-csrf-token'] = this.csrf;
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await fetch(this.baseUrl + path, { method, headers, body: payload, redirect: 'manual' });
    const set = res.headers.getSetCookie();
    for (const c of set) {
      const [pair] = c.split(';');
      if (!pair) continue;
      const [name, value] = pair.split('=');
      if (name === 'lw_sid') this.cookie = value ? `lw_sid=${value}` : '';
      if (/Expires=Thu, 01 Jan 1970/i.test(c) && name === 'lw_sid') this.cookie = '';
    }
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: res.status, body: parsed as any, headers: res.headers };
  }

  get = (p: string) => this.request('GET', p);
  post = (p: string, b?: unknown, o?: { csrf?: boolean }) => this.request('POST', p, b ?? {}, o);
  patch = (p: string, b: unknown) => this.request('PATCH', p, b);
  put = (p: string, b: unknown) => this.request('PUT', p, b);
  del = (p: string) => this.request('DELETE', p);

  upload(
    path: string,
    field: string,
    files: { name: string; data: Buffer | string; type?: string }[],
    fields: Record<string, string> = {},
  ): Promise<ApiResponse> {
    const fd = new FormData();
    for (const [k, v] of Object.entries(fields)) fd.append(k, v);
    for (const f of files)
      fd.append(
        field,
        new Blob([typeof f.data === 'string' ? f.data : new Uint8Array(f.data)], { type: f.type ?? 'application/octet-stream' }),
        f.name,
      );
    return this.request('POST', path, fd);
  }
}
