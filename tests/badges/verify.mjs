// Verifies one Open Badges 3.0 credential of Black Belt with verifiers nobody on the project
// wrote, and checks that the outcome is the one expected. See tests/badges/README.md.
//
//   BB_URL=http://127.0.0.1:PORT node verify.mjs <expect> <credential.json> <credential.jwt>
//
// <expect>: valid | revoked | expired | tampered | wrong-key. `tampered` and `wrong-key`
// derive their input from a valid credential here (one field changed; signed by a key
// that is not the issuer's). One line per check (BB_CASE names the case in it; default
// <expect>); exit 1 on any mismatch.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { isDeepStrictEqual } from 'node:util';

import * as jose from 'jose';
import Ajv2019 from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';

const SCHEMA_URL =
  'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json';
const here = new URL('.', import.meta.url);
const schema = JSON.parse(readFileSync(new URL('schema/ob_v3p0_achievementcredential_schema.json', here)));

// verifier-core fetches the OB JSON Schema from its official URL (CI has no internet): it
// gets the committed copy instead. Every other request (issuer, keys, status list) goes
// to the server under test.
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const url = typeof input === 'string' ? input : input.url ?? String(input);
  if (url === SCHEMA_URL) {
    return new Response(JSON.stringify(schema), { headers: { 'content-type': 'application/json' } });
  }
  return realFetch(input, init);
};
const { verifyCredential } = await import('@digitalcredentials/verifier-core');

const [expect, jsonPath, jwtPath] = process.argv.slice(2);
const base = (process.env.BB_URL ?? '').replace(/\/$/, '');
const EXPECTS = ['valid', 'revoked', 'expired', 'tampered', 'wrong-key'];
if (!EXPECTS.includes(expect) || !jsonPath || !jwtPath || !base) {
  console.error(`usage: BB_URL=… node verify.mjs <${EXPECTS.join('|')}> <credential.json> <credential.jwt>`);
  process.exit(2);
}
let credential = JSON.parse(readFileSync(jsonPath, 'utf8'));
let jwt = readFileSync(jwtPath, 'utf8').trim();

let mismatches = 0;
/** Prints one check; `outcome` is what the verifier said, `wanted` what this case needs. */
function report(check, outcome, wanted) {
  const ok = outcome.verdict === wanted;
  if (!ok) mismatches += 1;
  const tag = ok ? 'ok  ' : 'FAIL';
  console.log(`${tag} ${(process.env.BB_CASE ?? expect).padEnd(14)} ${check.padEnd(15)} want ${wanted.padEnd(8)} got ${outcome.verdict}: ${outcome.detail}`);
}

// --- Data Integrity (eddsa-rdfc-2022) and status list: DCC verifier-core -------------
async function dataIntegrity(doc) {
  const res = await verifyCredential({ credential: doc, knownDIDRegistries: [] });
  const step = (id) => res.log?.find((s) => s.id === id);
  if (res.errors) {
    const names = res.errors.map((e) => e.name).join(',');
    return { verdict: names === 'invalid_signature' ? 'bad-sig' : 'error', detail: `errors ${names}: ${res.errors[0]?.message}` };
  }
  if (res.error) return { verdict: 'error', detail: String(res.error.message ?? res.error) };
  const sig = step('valid_signature');
  const status = step('revocation_status');
  const expiry = step('expiration');
  // verifier-core's own JSON Schema check (informational there; ajv below is the check).
  const results = res.additionalInformation?.find((a) => a.id === 'schema_check')?.results;
  const schemaCheck = Array.isArray(results)
    ? results.map((r) => (r.result?.valid ? 'valid' : (r.result?.errors ?? []).map((e) => `${e.instancePath} ${e.message}`).join(', '))).join('; ')
    : results;
  const detail = `valid_signature=${sig?.valid} revocation_status=${status ? (status.error ? status.error.name : status.valid) : 'absent'} expiration=${expiry?.valid} schema_check=${schemaCheck}`;
  if (sig?.valid !== true) return { verdict: 'bad-sig', detail };
  if (!status || status.valid === undefined) return { verdict: 'error', detail };
  if (status.valid === false) return { verdict: 'revoked', detail };
  if (expiry?.valid === false) return { verdict: 'expired', detail };
  if (expiry?.valid !== true) return { verdict: 'error', detail };
  return { verdict: 'valid', detail };
}

// --- VC-JWT (ES256): jose, key by its kid URL and from the issuer's JWKS --------------
const JWKS = jose.createRemoteJWKSet(new URL(`${base}/ob/jwks.json`));
const seconds = (iso) => Math.floor(Date.parse(iso) / 1000);

async function vcJwt(token, doc) {
  const options = { algorithms: ['ES256'], typ: 'JWT' };
  const failed = (e) => ({
    verdict: e.code === 'ERR_JWT_EXPIRED' ? 'expired' : e.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' ? 'bad-sig' : 'error',
    detail: `${e.code ?? 'error'}: ${e.message}`,
  });
  // OB 3.0 §8.2 verification: dereference the header's `kid` (a URL) to the public JWK.
  let protectedHeader;
  let payload;
  let kidJwk;
  try {
    protectedHeader = jose.decodeProtectedHeader(token);
    kidJwk = await (await realFetch(protectedHeader.kid)).json();
    if (kidJwk.d !== undefined) return { verdict: 'error', detail: `${protectedHeader.kid} publishes a private key` };
    ({ payload } = await jose.jwtVerify(token, await jose.importJWK(kidJwk, 'ES256'), options));
  } catch (e) {
    return failed(e);
  }
  // A JOSE verifier that has only the issuer's JWKS picks the key by `kid`: it must find
  // the same key and agree.
  const problems = [];
  try {
    await jose.jwtVerify(token, JWKS, options);
  } catch (e) {
    problems.push(`through ${base}/ob/jwks.json: ${e.code}: ${e.message} (header kid ${protectedHeader.kid}, JWK kid ${kidJwk.kid})`);
  }
  // The header holds alg, kid, typ only; the payload is the credential plus iss/jti/sub/
  // nbf/exp, which must match it.
  const extraHeaders = Object.keys(protectedHeader).filter((k) => !['alg', 'kid', 'typ'].includes(k));
  if (extraHeaders.length) problems.push(`extra header(s) ${extraHeaders}`);
  const issuerId = typeof doc.issuer === 'string' ? doc.issuer : doc.issuer?.id;
  const want = { iss: issuerId, jti: doc.id, sub: doc.credentialSubject?.id, nbf: seconds(doc.validFrom) };
  if (doc.validUntil) want.exp = seconds(doc.validUntil);
  for (const [claim, value] of Object.entries(want)) {
    if (payload[claim] !== value) problems.push(`${claim}=${payload[claim]} (credential says ${value})`);
  }
  const { iss, jti, sub, nbf, exp, iat, ...body } = payload;
  const { proof, ...unsigned } = doc;
  if (!isDeepStrictEqual(body, unsigned)) problems.push('payload is not the credential JSON without its proof');
  if (problems.length) return { verdict: 'error', detail: problems.join('; ') };
  // A JWT verifier checks status on its own: the same status list credential (verified by
  // verifier-core as a credential itself), its bit read here.
  const bit = await statusBit(payload.credentialStatus);
  if (bit.error) return { verdict: 'error', detail: bit.error };
  const detail = `signature ok (kid ${protectedHeader.kid}), iss/jti/sub/nbf${want.exp ? '/exp' : ''} match, status bit ${bit.index}=${bit.value}`;
  return { verdict: bit.value ? 'revoked' : 'valid', detail };
}

async function statusBit(entry) {
  if (entry?.type !== 'BitstringStatusListEntry') return { error: `credentialStatus type ${entry?.type}` };
  const list = await (await realFetch(entry.statusListCredential)).json();
  const checked = await verifyCredential({ credential: list, knownDIDRegistries: [] });
  if (checked.errors || checked.log?.find((s) => s.id === 'valid_signature')?.valid !== true) {
    return { error: `status list ${entry.statusListCredential} does not verify: ${JSON.stringify(checked.errors ?? checked.log)}` };
  }
  const encoded = list.credentialSubject?.encodedList ?? '';
  if (!encoded.startsWith('u')) return { error: 'encodedList is not multibase base64url' };
  const bits = gunzipSync(Buffer.from(encoded.slice(1), 'base64url'));
  const index = Number(entry.statusListIndex);
  if (!(bits.length * 8 >= 131072 && index < bits.length * 8)) return { error: `list of ${bits.length * 8} bits, index ${index}` };
  // Bitstring Status List v1.0: index 0 is the left-most (most significant) bit.
  return { index, value: (bits[index >> 3] >> (7 - (index & 7))) & 1 };
}

// --- JSON Schema: ajv, draft 2019-09, the committed OB 3.0 schema -----------------------
function jsonSchema(doc) {
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  if (validate(doc)) return { verdict: 'valid', detail: 'conforms to ob_v3p0_achievementcredential_schema.json' };
  const errors = validate.errors.slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message}`);
  return { verdict: 'invalid', detail: errors.join('; ') };
}

// --- the derived cases ------------------------------------------------------------------
function tamper(doc) {
  doc.credentialSubject.achievement.name = `${doc.credentialSubject.achievement.name} (forged)`;
}
if (expect === 'tampered') {
  tamper(credential);
  const [h, p, s] = jwt.split('.');
  const payload = JSON.parse(Buffer.from(p, 'base64url'));
  tamper(payload);
  jwt = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
}
if (expect === 'wrong-key') {
  ({ credential, jwt } = await signWithAnotherKey(credential, jwt));
}

/** The same credential, signed by fresh keys that claim to be the issuer's. */
async function signWithAnotherKey(doc, token) {
  const { issue } = await import('@digitalcredentials/vc');
  const { DataIntegrityProof } = await import('@digitalcredentials/data-integrity');
  const { cryptosuite } = await import('@digitalcredentials/eddsa-rdfc-2022-cryptosuite');
  const Ed25519Multikey = await import('@digitalcredentials/ed25519-multikey');
  const { securityLoader } = await import('@digitalcredentials/security-document-loader');
  const { proof, ...unsigned } = doc;
  const { verificationMethod } = [].concat(proof)[0];
  const issuerId = typeof doc.issuer === 'string' ? doc.issuer : doc.issuer.id;
  const key = await Ed25519Multikey.generate({ id: verificationMethod, controller: issuerId });
  const suite = new DataIntegrityProof({ signer: key.signer(), cryptosuite });
  const documentLoader = securityLoader({ fetchRemoteContexts: false }).build();
  const signed = await issue({ credential: structuredClone(unsigned), suite, documentLoader });
  if (signed.proof.verificationMethod !== verificationMethod) throw new Error('re-signed proof names another key');

  const header = jose.decodeProtectedHeader(token);
  const { privateKey } = await jose.generateKeyPair('ES256');
  const claims = jose.decodeJwt(token);
  const forged = await new jose.CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader(header)
    .sign(privateKey);
  return { credential: signed, jwt: forged };
}

// --- run --------------------------------------------------------------------------------
const WANT = {
  valid: { di: 'valid', jwt: 'valid', schema: 'valid' },
  revoked: { di: 'revoked', jwt: 'revoked', schema: 'valid' },
  expired: { di: 'expired', jwt: 'expired', schema: 'valid' },
  tampered: { di: 'bad-sig', jwt: 'bad-sig' },
  'wrong-key': { di: 'bad-sig', jwt: 'bad-sig' },
}[expect];

// verifier-core logs fetch failures (console.error) and its ajv's strict-mode notes on
// the schema (console.warn); keep them for the report of a mismatch.
const logged = [];
const { error: consoleError, warn: consoleWarn } = console;
console.error = (...args) => logged.push(args.map(String).join(' '));
console.warn = console.error;
try {
  report('data-integrity', await dataIntegrity(credential), WANT.di);
  report('vc-jwt', await vcJwt(jwt, credential), WANT.jwt);
  if (WANT.schema) report('json-schema', jsonSchema(credential), WANT.schema);
} finally {
  Object.assign(console, { error: consoleError, warn: consoleWarn });
}
if (mismatches && logged.length) console.error(`verifier messages:\n  ${logged.join('\n  ')}`);
process.exit(mismatches ? 1 : 0);
