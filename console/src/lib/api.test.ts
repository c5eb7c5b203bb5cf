import { describe, expect, it } from 'vitest';
import { Api, ApiError, base64Utf8, query } from './api';

function fakeFetch(status: number, body: string, seen: RequestInit[] = [], urls: string[] = []) {
  return (async (url: string, init: RequestInit) => {
    urls.push(url);
    seen.push(init);
    return new Response(body, { status });
  }) as unknown as typeof fetch;
}

// The error a call failed with; fails the test when it succeeded.
async function refusal(call: Promise<unknown>): Promise<ApiError> {
  try {
    await call;
  } catch (error) {
    return error as ApiError;
  }
  throw new Error('the call succeeded');
}

describe('Api', () => {
  it('sends the account as Basic credentials, never in the URL, and returns data', async () => {
    const seen: RequestInit[] = [];
    const urls: string[] = [];
    const api = new Api('ops', 'pw 1', fakeFetch(200, '{"code":1000,"data":[1,2]}', seen, urls));
    expect(await api.get<number[]>('/users?ids=1')).toEqual([1, 2]);
    // base64("ops:pw 1")
    expect((seen[0].headers as Record<string, string>).Authorization).toBe('Basic b3BzOnB3IDE=');
    expect(urls[0]).not.toContain('pw');
  });

  it('encodes credentials beyond Latin-1 as UTF-8', () => {
    // base64 of the UTF-8 bytes of "é:€"
    expect(base64Utf8('é:€')).toBe('w6k64oKs');
    expect(new Api('é', '€').authorization()).toBe('Basic w6k64oKs');
  });

  it('turns a refusal into an ApiError with the reason', async () => {
    const api = new Api('admin', 'x', fakeFetch(401, '{"code":1100,"reason":"send Authorization"}'));
    const error = await refusal(api.get('/users'));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(401);
    expect(error.code).toBe(1100);
    expect(error.message).toBe('send Authorization');
  });

  it('keeps a plain-text refusal readable', async () => {
    const api = new Api('admin', 'x', fakeFetch(404, 'no such console file\n'));
    const error = await refusal(api.get('/x'));
    expect(error.message).toBe('no such console file');
  });
});

describe('query', () => {
  it('joins arrays with commas and escapes', () => {
    expect(query({ ids: [1, 2], deviceTypes: 'ANDROID', name: 'a&b' })).toBe(
      '?ids=1%2C2&deviceTypes=ANDROID&name=a%26b',
    );
    expect(query({})).toBe('');
  });
});
