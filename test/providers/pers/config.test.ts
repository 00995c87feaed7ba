import { describe, expect, it } from 'vitest';
import { persProvider } from '../../../src/providers/pers/index.js';
import { SANDBOX_PROJECT_KEY } from '../../../src/providers/pers/simulator.js';

const KEY = SANDBOX_PROJECT_KEY;
const LIVE_KEY = 'a'.repeat(64);

describe('persProvider.readConfig', () => {
  it.each([
    ['no variable', {}],
    ['empty values', { PERS_BASE_URL: '', PERS_PROJECT_KEY: '' }],
    ['only the optional variables', { PERS_REDEEM_PATH: '/redemption-redeems', PERS_TIMEOUT_MS: '5000' }],
  ])('is absent with %s', (_name, env) => {
    expect(persProvider.readConfig(env)).toStrictEqual({ status: 'absent' });
  });

  it('reads the required variables and defaults the redeem path', () => {
    expect(persProvider.readConfig({ PERS_BASE_URL: 'https://api.pers.ninja/v2', PERS_PROJECT_KEY: KEY })).toStrictEqual({
      status: 'ok',
      config: { baseUrl: 'https://api.pers.ninja/v2', projectKey: KEY, redeemPath: '/redemptions/redeems', timeoutMs: undefined },
    });
  });

  it('reads a live key, the 2.0.5 redeem path and the timeout', () => {
    expect(persProvider.readConfig({
      PERS_BASE_URL: 'https://api.pers.ninja/v2', PERS_PROJECT_KEY: LIVE_KEY, PERS_REDEEM_PATH: '/redemption-redeems', PERS_TIMEOUT_MS: '4500',
    })).toStrictEqual({
      status: 'ok',
      config: { baseUrl: 'https://api.pers.ninja/v2', projectKey: LIVE_KEY, redeemPath: '/redemption-redeems', timeoutMs: 4500 },
    });
  });

  it.each([
    ['PERS_BASE_URL', { PERS_PROJECT_KEY: KEY }, ['PERS_BASE_URL: must be an http(s) URL']],
    ['PERS_PROJECT_KEY', { PERS_BASE_URL: 'https://api.pers.ninja/v2', PERS_TIMEOUT_MS: '100' }, ['PERS_PROJECT_KEY: is required']],
  ])('is invalid when %s is missing, naming it', (_name, env, issues) => {
    expect(persProvider.readConfig(env)).toStrictEqual({ status: 'invalid', issues });
  });

  it.each([
    ['a key that is not a project key', { PERS_PROJECT_KEY: 'pk_test_123' },
      ['PERS_PROJECT_KEY: must be a project key (64 hex characters, or pk_test_ and 56 hex)']],
    ['a base URL that is not a URL', { PERS_BASE_URL: 'api.pers.ninja' }, ['PERS_BASE_URL: must be an http(s) URL']],
    ['an unknown redeem path', { PERS_REDEEM_PATH: '/redeem' },
      ['PERS_REDEEM_PATH: must be one of /redemption-redeems, /redemptions/redeems']],
    ['a negative timeout', { PERS_TIMEOUT_MS: '-1' }, ['PERS_TIMEOUT_MS: must be a positive whole number of milliseconds']],
  ])('is invalid with %s', (_name, override, issues) => {
    const env = { PERS_BASE_URL: 'https://api.pers.ninja/v2', PERS_PROJECT_KEY: KEY, ...override };
    expect(persProvider.readConfig(env)).toStrictEqual({ status: 'invalid', issues });
  });

  it('lists every variable it reads', () => {
    expect(persProvider.envVars).toEqual(['PERS_BASE_URL', 'PERS_PROJECT_KEY', 'PERS_REDEEM_PATH', 'PERS_TIMEOUT_MS']);
  });

  it('points the sandbox configuration at the simulator with the demo key', () => {
    expect(persProvider.sandboxConfig('http://127.0.0.1:1')).toStrictEqual({ baseUrl: 'http://127.0.0.1:1', projectKey: KEY });
    expect(KEY).toMatch(/^pk_test_[0-9a-f]{56}$/);
  });
});
