import { describe, expect, it } from 'vitest';
import { groupBySection } from './config';

describe('groupBySection', () => {
  const entries = {
    'gateway.ws-port': '10510',
    'admin.password': '********',
    'admin.port': '8510',
    'redis.session.uris': 'redis://:****@r1:6379',
  };

  it('groups keys by their first segment, sorted', () => {
    expect(groupBySection(entries)).toEqual([
      ['admin', [['admin.password', '********'], ['admin.port', '8510']]],
      ['gateway', [['gateway.ws-port', '10510']]],
      ['redis', [['redis.session.uris', 'redis://:****@r1:6379']]],
    ]);
  });

  it('keeps only keys that contain the filter', () => {
    expect(groupBySection(entries, ' PORT')).toEqual([
      ['admin', [['admin.port', '8510']]],
      ['gateway', [['gateway.ws-port', '10510']]],
    ]);
  });
});
