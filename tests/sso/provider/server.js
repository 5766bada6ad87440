// A real OpenID Connect provider for the single sign-on tests (tests/staff/accounts/test_sso.py); never deployed.
//
//   node server.js [PORT]        PORT (or OIDC_TEST_PORT) 0 or unset: any free port on 127.0.0.1
//
// Environment:
//   OIDC_TEST_CLIENT_ID, OIDC_TEST_CLIENT_SECRET, OIDC_TEST_REDIRECT_URI   the one confidential client
//   OIDC_TEST_ACCOUNTS   JSON {"<login name>": {"personal_id": "…", "employee_code": "…", "email": "…"}}
//
// The development login page (devInteractions) accepts any login name with any password; the account's
// claims are that login's entry in OIDC_TEST_ACCOUNTS (a login without an entry has only its "sub"), so
// the test decides who the city's sign-on service says each person is. The claims are released with the
// "profile" and "email" scopes and reach the relying party through the userinfo endpoint.
// Once listening, one line goes to stdout: "listening <issuer>".

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import process from 'node:process';

import Provider from 'oidc-provider';

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is required`);
    process.exit(2);
  }
  return value;
}

const port = Number(process.argv[2] ?? process.env.OIDC_TEST_PORT ?? 0);
const accounts = JSON.parse(process.env.OIDC_TEST_ACCOUNTS || '{}');
const client = {
  client_id: required('OIDC_TEST_CLIENT_ID'),
  client_secret: required('OIDC_TEST_CLIENT_SECRET'),
  redirect_uris: [required('OIDC_TEST_REDIRECT_URI')],
  response_types: ['code'],
  grant_types: ['authorization_code'],
  // mozilla-django-oidc sends its credentials in the token request's body.
  token_endpoint_auth_method: 'client_secret_post',
};

// A signing key of this process only: nothing to keep, nothing to leak.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-sso', alg: 'RS256', use: 'sig' };

const server = createServer();
server.listen(port, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [client],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub'],
      email: ['email'],
      profile: ['personal_id', 'employee_code'],
    },
    async findAccount(_ctx, login) {
      return {
        accountId: login,
        async claims() {
          return { ...(accounts[login] ?? {}), sub: login };
        },
      };
    },
    features: { devInteractions: { enabled: true } },
  });
  provider.on('server_error', (_ctx, error) => console.error('server_error', error));
  server.on('request', provider.callback());
  console.log(`listening ${issuer}`);
});

process.on('SIGTERM', () => process.exit(0));
