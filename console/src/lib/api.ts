// The admin API, called from the same origin that served the console. Answers follow Turms'
// shape: {"code":1000,"data":...} or {"code":<status>,"reason":"..."}.

export class ApiError extends Error {
  constructor(
    readonly status: number, // HTTP
    readonly code: number | null, // Turms status code
    message: string,
  ) {
    super(message);
  }
}

export type Fetch = typeof fetch;

// Base64 of the text's UTF-8 bytes (btoa alone takes Latin-1 only).
export function base64Utf8(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export class Api {
  // The credentials live in memory only: a reload asks for them again, and they are never
  // written to storage or put into a URL. "admin" is the account of the configured admin
  // password; others are the accounts the admin API manages (/admins).
  constructor(
    readonly loginName: string,
    private readonly password: string,
    private readonly fetchImpl: Fetch = fetch.bind(globalThis),
  ) {}

  authorization(): string {
    return `Basic ${base64Utf8(`${this.loginName}:${this.password}`)}`;
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('PUT', path, body);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.call<T>('DELETE', path);
  }

  // The `data` of a successful answer; an ApiError with the server's reason otherwise.
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Authorization: this.authorization() };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await this.fetchImpl(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
    const text = await response.text();
    let parsed: { code?: number; data?: T; reason?: string } | null = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (!response.ok) {
      const reason = parsed?.reason ?? (text.trim() || response.statusText);
      throw new ApiError(response.status, parsed?.code ?? null, reason);
    }
    return (parsed?.data ?? null) as T;
  }
}

// A query string from values; arrays become comma-separated as the admin API reads them.
export function query(params: Record<string, string | number | (string | number)[]>): string {
  const parts = Object.entries(params).map(([name, value]) => {
    const text = Array.isArray(value) ? value.join(',') : String(value);
    return `${encodeURIComponent(name)}=${encodeURIComponent(text)}`;
  });
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}
