import { describe, expect, it } from 'vitest';
import { tripleProvider } from '../../../src/providers/triple/index.js';

const full = {
  TRIPLE_BASE_URL: 'https://api.sandbox.tripleup.dev',
  TRIPLE_TOKEN_URL: 'https://auth.tripleup.dev/oauth2/token',
  TRIPLE_CLIENT_ID: 'client-1',
  TRIPLE_CLIENT_SECRET: 'secret-1',
};

describe('tripleProvider.readConfig', () => {
  it('is absent when no variable is set', () => {
    expect(tripleProvider.readConfig({})).toEqual({ status: 'absent' });
  });

  it('is absent when only the optional timeout is set', () => {
    expect(tripleProvider.readConfig({ TRIPLE_TIMEOUT_MS: '5000' })).toEqual({ status: 'absent' });
  });

  it('reads a full set', () => {
    expect(tripleProvider.readConfig({ ...full, TRIPLE_TIMEOUT_MS: '5000' })).toEqual({
      status: 'ok',
      config: {
        baseUrl: 'https://api.sandbox.tripleup.dev',
        tokenUrl: 'https://auth.tripleup.dev/oauth2/token',
        clientId: 'client-1',
        clientSecret: 'secret-1',
        timeoutMs: 5000,
      },
    });
  });

  it('names each missing variable of a partial set', () => {
    expect(tripleProvider.readConfig({ TRIPLE_BASE_URL: full.TRIPLE_BASE_URL, TRIPLE_CLIENT_SECRET: '' })).toEqual({
      status: 'invalid',
      issues: [
        'TRIPLE_TOKEN_URL: is required (an http(s) URL)',
        'TRIPLE_CLIENT_ID: is required (the OAuth2 client id)',
        'TRIPLE_CLIENT_SECRET: is required (the OAuth2 client secret)',
      ],
    });
  });

  it('names each invalid value', () => {
    expect(tripleProvider.readConfig({ ...full, TRIPLE_TOKEN_URL: 'ftp://auth.tripleup.dev', TRIPLE_BASE_URL: 'not a url', TRIPLE_TIMEOUT_MS: '-3' })).toEqual({
      status: 'invalid',
      issues: [
        'TRIPLE_BASE_URL: must be an http(s) URL',
        'TRIPLE_TOKEN_URL: must be an http(s) URL',
        'TRIPLE_TIMEOUT_MS: must be a positive integer of milliseconds',
      ],
    });
  });

  it('points the sandbox at the simulator token endpoint with the demo client', () => {
    expect(tripleProvider.sandboxConfig('http://127.0.0.1:4000')).toEqual({
      baseUrl: 'http://127.0.0.1:4000',
      tokenUrl: 'http://127.0.0.1:4000/oauth2/token',
      clientId: 'triple-sandbox-client',
      clientSecret: 'triple-sandbox-secret',
    });
  });

  it('lists every variable it reads', () => {
    expect(tripleProvider.envVars).toEqual(['TRIPLE_BASE_URL', 'TRIPLE_TOKEN_URL', 'TRIPLE_CLIENT_ID', 'TRIPLE_CLIENT_SECRET', 'TRIPLE_TIMEOUT_MS']);
  });
});
