import { describe, expect, it } from 'vitest';
import { SseParser } from './sse';

describe('SseParser', () => {
  it('returns only complete events, across chunk boundaries', () => {
    const parser = new SseParser();
    expect(parser.push('data: {"a"')).toEqual([]);
    expect(parser.push(':1}\n')).toEqual([]);
    expect(parser.push('\ndata: 2\n\ndata: 3')).toEqual(['{"a":1}', '2']);
    expect(parser.push('\n\n')).toEqual(['3']);
  });

  it('joins multi-line data and skips comments and other fields', () => {
    const parser = new SseParser();
    expect(parser.push(': keep-alive\n\nevent: x\nid: 7\ndata: one\ndata:two\n\n')).toEqual([
      'one\ntwo',
    ]);
  });

  it('accepts CRLF line ends', () => {
    expect(new SseParser().push('data: x\r\n\r\n')).toEqual(['x']);
  });
});
