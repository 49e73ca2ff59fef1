// A real OpenID Provider for the acceptance tests of issue 23: panva's oidc-provider (pinned in
// package.json / package-lock.json next to this file; .ci/run installs it with `npm ci`), on
// 127.0.0.1, issuing RFC 9068 JWT access tokens by client credentials.
//
//   node provider.mjs [--port N] [--audience URL] [--client-id ID] [--client-secret SECRET]
//                     [--rs-jwk JSON]
//
// JOSE_OIDC_PREFIX names the folder `npm ci --prefix` installed into (it holds node_modules).
// The first line on stdout is the issuer, `http://127.0.0.1:PORT` (port 0, the default, takes an
// ephemeral one); nothing else is written to stdout (oidc-provider's notices go to stderr).
// A new process makes new keys: stop it and start another with `--port` of the first to rotate
// every key without announcing it.
//
// What it serves (oidc-provider's own routes):
//   /.well-known/openid-configuration   discovery
//   /jwks                               five signing keys, made at start: RS256, PS256, ES256,
//                                       ES384, EdDSA (Ed25519); each with alg, kid and use: sig
//   /token                              client_credentials for one confidential client
//                                       (client_secret_post: client_id and client_secret in the form)
//   /token/introspection                RFC 7662, for the same client and three resource-server
//                                       clients (no grants, introspection only):
//                                       `resource-server` (client_secret_basic, secret
//                                       `resource-server-secret-not-for-production`),
//                                       `resource-server-signed` (the same secret; RFC 9701 JWT
//                                       answers signed ES256 when asked with
//                                       Accept: application/token-introspection+jwt), and, with
//                                       --rs-jwk (a public JWK with its kid),
//                                       `resource-server-jwt` (private_key_jwt with that key)
//
// Resource indicators (RFC 8707), each the `resource` of a token request:
//   AUDIENCE                 a JWT access token for AUDIENCE signed with RS256
//   AUDIENCE/alg/ALG         the same, signed with ALG (one of the five), for the same AUDIENCE
//   AUDIENCE/opaque          an opaque access token for AUDIENCE (check it by introspection)
//   https://other.example    a JWT access token (RS256) for another audience
// Each resource server offers the scope `admin`: `scope=admin` puts it in the token.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join, resolve as absolute } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

// oidc-provider writes its notices with console.info, to stdout: keep stdout for the issuer.
console.info = console.error;

const prefix = process.env.JOSE_OIDC_PREFIX;
if (!prefix) {
  console.error('JOSE_OIDC_PREFIX is not set (the npm --prefix folder holding oidc-provider)');
  process.exit(2);
}
const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    audience: { type: 'string', default: 'https://api.example' },
    'client-id': { type: 'string', default: 'acceptance' },
    'client-secret': { type: 'string', default: 'acceptance-secret-not-for-production' },
    'rs-jwk': { type: 'string' },
  },
});
const port = Number(args.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port: not a port: ${args.port}`);
  process.exit(2);
}
const AUDIENCE = args.audience;
const OTHER = 'https://other.example';

const resolve = createRequire(join(absolute(prefix), 'package.json')).resolve;
const { default: Provider, errors } = await import(pathToFileURL(resolve('oidc-provider')).href);

// The keys: new ones at every start, so a restart is an unannounced rotation.
const SPECS = {
  RS256: ['rsa', { modulusLength: 2048 }],
  PS256: ['rsa', { modulusLength: 2048 }],
  ES256: ['ec', { namedCurve: 'P-256' }],
  ES384: ['ec', { namedCurve: 'P-384' }],
  EdDSA: ['ed25519', {}],
};
const ALGS = Object.keys(SPECS);
const run = randomBytes(4).toString('hex');
const keys = ALGS.map((alg) => {
  const [type, options] = SPECS[alg];
  const { privateKey } = generateKeyPairSync(type, options);
  return { ...privateKey.export({ format: 'jwk' }), alg, use: 'sig', kid: `${alg.toLowerCase()}-${run}` };
});

function resourceServer(indicator) {
  const jwt = (alg) => ({
    audience: AUDIENCE,
    scope: 'admin',
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg } },
  });
  if (indicator === AUDIENCE) return jwt('RS256');
  if (indicator === `${AUDIENCE}/opaque`) {
    return { audience: AUDIENCE, scope: 'admin', accessTokenFormat: 'opaque' };
  }
  if (indicator === OTHER) return { ...jwt('RS256'), audience: OTHER };
  const alg = indicator.startsWith(`${AUDIENCE}/alg/`) && indicator.slice(`${AUDIENCE}/alg/`.length);
  if (ALGS.includes(alg)) return jwt(alg);
  throw new errors.InvalidTarget(`unknown resource ${indicator}`);
}

// The clients of resource servers that check opaque tokens by introspection.
function resourceServers() {
  const rs = {
    client_secret: 'resource-server-secret-not-for-production',
    grant_types: [],
    redirect_uris: [],
    response_types: [],
    token_endpoint_auth_method: 'client_secret_basic',
  };
  const clients = [
    { ...rs, client_id: 'resource-server' },
    { ...rs, client_id: 'resource-server-signed', introspection_signed_response_alg: 'ES256' },
  ];
  if (args['rs-jwk']) {
    const { client_secret: _unused, ...withoutSecret } = rs;
    clients.push({
      ...withoutSecret,
      client_id: 'resource-server-jwt',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [JSON.parse(args['rs-jwk'])] },
    });
  }
  return clients;
}

const issuer = `http://127.0.0.1:${port}`;
const configuration = {
  jwks: { keys },
  clients: [
    {
      client_id: args['client-id'],
      client_secret: args['client-secret'],
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_post',
    },
    ...resourceServers(),
  ],
  features: {
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    jwtIntrospection: { enabled: true },
    devInteractions: { enabled: false },
    resourceIndicators: {
      enabled: true,
      // No `resource`: the API itself (RS256), so a plain request still gets a JWT.
      defaultResource: () => AUDIENCE,
      getResourceServerInfo: (_ctx, indicator) => resourceServer(indicator),
    },
  },
  // Only client credentials are used; without cookie keys the provider warns at every start.
  cookies: { keys: [randomBytes(32).toString('hex')] },
  ttl: { ClientCredentials: 600 },
};

// With port 0, the issuer needs the port the system chose: listen first, then build the
// provider and hand it the requests (oidc-provider's `callback()` is a plain Node listener).
const { createServer } = await import('node:http');
let handler = (_req, res) => {
  res.statusCode = 503;
  res.end();
};
const server = createServer((req, res) => handler(req, res));
server.listen(port, '127.0.0.1', () => {
  const { port: bound } = server.address();
  const provider = new Provider(`http://127.0.0.1:${bound}`, configuration);
  handler = provider.callback();
  process.stdout.write(`http://127.0.0.1:${bound}\n`);
});
server.on('error', (error) => {
  console.error(`cannot listen on ${issuer}: ${error.message}`);
  process.exit(1);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
