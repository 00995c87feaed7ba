/**
 * Mints a caller token with the configured HS256 secret (AUTH_JWT_SECRET, or the sandbox secret
 * when unset in sandbox mode).
 *
 *   npm run token -- --role business --business-id b1 [--subject alice] [--expires 1h]
 */
import { parseArgs } from 'node:util';
import { mintToken } from '../src/auth/tokens.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { ROLES, type Role } from '../src/domain/caller.js';

const { values } = parseArgs({
  options: {
    role: { type: 'string', default: 'user' },
    subject: { type: 'string' },
    'business-id': { type: 'string' },
    expires: { type: 'string', default: '12h' },
  },
});

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const role = values.role as Role;
if (!ROLES.includes(role)) fail(`--role must be one of ${ROLES.join(', ')}`);
if (role === 'business' && !values['business-id']) fail('--business-id is required for --role business');

let config;
try {
  config = loadConfig();
} catch (error) {
  fail(error instanceof ConfigError ? error.message : String(error));
}
if (!config.auth.secret) fail('AUTH_JWT_SECRET is not set: tokens for a JWKS-configured gateway come from its identity provider');

const token = await mintToken(
  { subject: values.subject ?? `${role}-1`, role, businessId: values['business-id'] },
  { secret: config.auth.secret, issuer: config.auth.issuer, audience: config.auth.audience, expiresIn: values.expires },
);
process.stdout.write(`${token}\n`);
