import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('media configuration', () => {
  it('turns no worker log tags on by default', () => {
    expect(loadConfig({}).media.logTags).toEqual([]);
  });

  it('reads the worker log tags asked for, and refuses unknown ones', () => {
    expect(loadConfig({ MEDIASOUP_LOG_TAGS: ' ice, dtls ,,rtcp' }).media.logTags).toEqual([
      'ice',
      'dtls',
      'rtcp',
    ]);
    expect(() => loadConfig({ MEDIASOUP_LOG_TAGS: 'ice,loud' })).toThrow(/MEDIASOUP_LOG_TAGS/);
  });
});
