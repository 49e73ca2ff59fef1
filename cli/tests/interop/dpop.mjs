// DPoP interop for cli/tests/dpop_interop.rs, with two independent implementations from the
// npm registry (installed by .ci/run, pinned there):
//
//   node dpop.mjs make  < requests.json   panva's `dpop` makes proofs
//   node dpop.mjs check < proofs.json     panva's `jose` verifies proofs made by `jose dpop proof`
//
// JOSE_NODE_PREFIX names the folder given to `npm install --prefix` (it holds node_modules).
// Input and output are JSON on stdin and stdout.
//
// make:  [{"alg", "htm", "htu", "access_token"?, "nonce"?}]
//     -> [{"alg", "proof", "jkt"}]            one key pair per alg, jkt by dpop.calculateThumbprint
// check: [{"name", "proof", "htm", "htu", "access_token"?, "nonce"?, "now", "max_age"}]
//     -> [{"name", "ok": true, "alg", "jkt", "jti", "iat"} | {"name", "ok": false, "error"}]
//
// `check` does what RFC 9449 §4.3 asks of a server, on top of jose's compactVerify with the
// header's key (EmbeddedJWK): typ is dpop+jwt, alg is asymmetric and allowed, the jwk has no
// private member, and the claims: jti a non-empty string, htm and htu equal to the request's
// (htu compared as given: the caller passes it without query and fragment), iat within
// max_age of now and not after it, ath = base64url(SHA-256(access token)) when a token is
// given, nonce equal when one is given.

import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { resolve as absolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const prefix = process.env.JOSE_NODE_PREFIX;
if (!prefix) {
  console.error('JOSE_NODE_PREFIX is not set (the npm --prefix folder holding dpop and jose)');
  process.exit(2);
}
const resolve = createRequire(join(absolute(prefix), 'package.json')).resolve;
const load = (name) => import(pathToFileURL(resolve(name)).href);

const ALGS = ['ES256', 'ES384', 'Ed25519', 'EdDSA', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512'];
const PRIVATE = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function make(requests) {
  const DPoP = await load('dpop');
  const pairs = new Map();
  const out = [];
  for (const r of requests) {
    if (!pairs.has(r.alg)) {
      pairs.set(r.alg, await DPoP.generateKeyPair(r.alg, { extractable: true }));
    }
    const keypair = pairs.get(r.alg);
    const proof = await DPoP.generateProof(keypair, r.htu, r.htm, r.nonce, r.access_token);
    out.push({ alg: r.alg, proof, jkt: await DPoP.calculateThumbprint(keypair.publicKey) });
  }
  return out;
}

function refuse(why) {
  throw new Error(why);
}

async function checkOne(jose, c) {
  const { payload, protectedHeader: header } = await jose.compactVerify(c.proof, jose.EmbeddedJWK, {
    algorithms: ALGS,
  });
  if (header.typ !== 'dpop+jwt') refuse('typ');
  const jwk = header.jwk;
  if (PRIVATE.some((m) => m in jwk)) refuse('private jwk');
  const claims = JSON.parse(new TextDecoder().decode(payload));
  if (typeof claims.jti !== 'string' || claims.jti.length === 0) refuse('jti');
  if (claims.htm !== c.htm) refuse('htm');
  if (claims.htu !== c.htu) refuse('htu');
  if (!Number.isInteger(claims.iat) || claims.iat > c.now || c.now - claims.iat > c.max_age) {
    refuse('iat');
  }
  if (c.access_token !== undefined) {
    const ath = createHash('sha256').update(c.access_token).digest('base64url');
    if (claims.ath !== ath) refuse('ath');
  }
  if (c.nonce !== undefined && claims.nonce !== c.nonce) refuse('nonce');
  return {
    alg: header.alg,
    jkt: await jose.calculateJwkThumbprint(jwk, 'sha256'),
    jti: claims.jti,
    iat: claims.iat,
  };
}

async function check(cases) {
  const jose = await load('jose');
  const out = [];
  for (const c of cases) {
    try {
      out.push({ name: c.name, ok: true, ...(await checkOne(jose, c)) });
    } catch (e) {
      out.push({ name: c.name, ok: false, error: String(e?.code ?? e?.message ?? e) });
    }
  }
  return out;
}

const mode = process.argv[2];
const input = await readStdin();
let result;
if (mode === 'make') result = await make(input);
else if (mode === 'check') result = await check(input);
else {
  console.error('usage: node dpop.mjs make|check < input.json');
  process.exit(2);
}
process.stdout.write(JSON.stringify(result) + '\n');
