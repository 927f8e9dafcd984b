// A minimal LTI 1.3 platform (an LMS) in node, for the browser tests: its own RSA key
// and JWKS, the OIDC authorisation endpoint that answers the tool's login redirect with
// an auto-submitting form POST of a signed id_token (state echoed, nonce from the
// request), an OAuth token URL that checks the tool's client assertion against the
// tool's JWKS, and an NRPS membership service. Only node's `http` and `crypto`.
//
// The course page (`/course?as=<user>&present=frame|window`) is where a person starts:
// it starts a third-party login at the tool, inside an iframe (as LMSs embed tools) or
// in the whole window (the "open in a new window" setting LMSs offer).

import crypto from 'node:crypto';
import http from 'node:http';

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const NRPS_CLAIM = 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice';
const NRPS_SCOPE = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';
export const ROLE = {
  instructor: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor',
  learner: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner',
};

const b64url = (data) => Buffer.from(data).toString('base64url');
const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function signJwt(claims, privateKey, kid) {
  const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const body = b64url(JSON.stringify(claims));
  const signature = crypto.sign('RSA-SHA256', Buffer.from(`${head}.${body}`), privateKey);
  return `${head}.${body}.${signature.toString('base64url')}`;
}

/** Verifies an RS256 JWT against a JWKS document; returns its claims or throws. */
function verifyJwt(jwt, jwks) {
  const [head, body, signature] = jwt.split('.');
  const header = JSON.parse(Buffer.from(head, 'base64url'));
  if (header.alg !== 'RS256') throw new Error(`client assertion alg ${header.alg}`);
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  if (!jwk) throw new Error(`client assertion kid ${header.kid} is not in the tool's JWKS`);
  const key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
  if (!crypto.verify('RSA-SHA256', Buffer.from(`${head}.${body}`), key, Buffer.from(signature, 'base64url'))) {
    throw new Error('client assertion signature does not verify');
  }
  const claims = JSON.parse(Buffer.from(body, 'base64url'));
  if (claims.exp < Date.now() / 1000) throw new Error('client assertion expired');
  return claims;
}

function html(res, status, title, body) {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head><body>${body}</body></html>`);
}

function json(res, status, value, type = 'application/json') {
  res.writeHead(status, { 'Content-Type': type });
  res.end(JSON.stringify(value));
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return Object.fromEntries(new URLSearchParams(body));
}

/**
 * Starts the platform on a free 127.0.0.1 port.
 *   tool: { url, clientId, deploymentId }; course: { id, title }; users: { [sub]: { name, role } };
 *   roster: the subs NRPS lists.
 * Returns { issuer, origin, registration (for POST /api/lti/platforms), courseUrl(as, present),
 *   seen (what it was asked), close() }.
 */
export async function startPlatform({ tool, course, users, roster }) {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = `e2e-platform-${crypto.randomBytes(4).toString('hex')}`;
  const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] };
  const tokens = new Set();
  const seen = { logins: 0, tokenRequests: 0, membershipRequests: 0, errors: [] };
  let origin = '';
  const launchUrl = `${tool.url}/lti/launch`;

  // Each failed check is kept for the test to report: a real LMS would refuse here too.
  const refuse = (res, message) => {
    seen.errors.push(message);
    html(res, 400, 'Refused', `<p>${escape(message)}</p>`);
  };

  function coursePage(res, q) {
    const user = q.get('as');
    if (!users[user]) return refuse(res, `course page: unknown user ${user}`);
    const framed = q.get('present') !== 'window';
    const fields = {
      iss: origin, login_hint: user, target_link_uri: launchUrl, lti_message_hint: `${user}:${framed ? 'iframe' : 'window'}`,
      client_id: tool.clientId, lti_deployment_id: tool.deploymentId,
    };
    const inputs = Object.entries(fields)
      .map(([k, v]) => `<input type="hidden" name="${k}" value="${escape(v)}">`).join('');
    const target = framed ? ' target="tool"' : '';
    const frame = framed ? '<iframe name="tool" title="Certification console" width="900" height="700"></iframe>' : '';
    return html(res, 200, course.title, `<h1>${escape(course.title)}</h1>`
      + `<form id="login" method="post" action="${escape(`${tool.url}/lti/login`)}"${target}>${inputs}</form>${frame}`
      + '<script>document.getElementById("login").submit()</script>');
  }

  function authorize(res, q) {
    const want = { scope: 'openid', response_type: 'id_token', response_mode: 'form_post', prompt: 'none', client_id: tool.clientId, redirect_uri: launchUrl };
    for (const [k, v] of Object.entries(want)) {
      if (q.get(k) !== v) return refuse(res, `authorisation request: ${k}=${q.get(k)}, expected ${v}`);
    }
    const sub = q.get('login_hint');
    const user = users[sub];
    if (!user) return refuse(res, `authorisation request: login_hint ${sub} is no user`);
    if (!q.get('nonce') || !q.get('state')) return refuse(res, 'authorisation request without nonce or state');
    const [hintUser, present] = (q.get('lti_message_hint') || '').split(':');
    if (hintUser !== sub) return refuse(res, `authorisation request: lti_message_hint ${q.get('lti_message_hint')} is not ${sub}'s`);
    seen.logins++;
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: origin, aud: tool.clientId, sub, iat: now, exp: now + 300, nonce: q.get('nonce'),
      name: user.name, email: `${sub}@lms.example.com`,
      [`${LTI}message_type`]: 'LtiResourceLinkRequest',
      [`${LTI}version`]: '1.3.0',
      [`${LTI}deployment_id`]: tool.deploymentId,
      [`${LTI}target_link_uri`]: launchUrl,
      [`${LTI}resource_link`]: { id: 'console-link-1', title: 'Certification console (instructors and managers)' },
      [`${LTI}roles`]: [ROLE[user.role]],
      [`${LTI}context`]: { id: course.id, label: 'SMS-E2E', title: course.title, type: ['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'] },
      [`${LTI}custom`]: { blackbelt: 'console' },
      [`${LTI}launch_presentation`]: { document_target: present === 'window' ? 'window' : 'iframe', return_url: `${origin}/course` },
      [NRPS_CLAIM]: { context_memberships_url: `${origin}/memberships/${encodeURIComponent(course.id)}`, service_versions: ['2.0'] },
    };
    const idToken = signJwt(claims, privateKey, kid);
    return html(res, 200, 'Launching', `<form id="launch" method="post" action="${escape(launchUrl)}">`
      + `<input type="hidden" name="id_token" value="${escape(idToken)}">`
      + `<input type="hidden" name="state" value="${escape(q.get('state'))}"></form>`
      + '<script>document.getElementById("launch").submit()</script>');
  }

  async function token(req, res) {
    seen.tokenRequests++;
    const form = await readForm(req);
    try {
      if (form.grant_type !== 'client_credentials') throw new Error(`grant_type ${form.grant_type}`);
      if (form.client_assertion_type !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') throw new Error(`client_assertion_type ${form.client_assertion_type}`);
      const toolKeys = await (await fetch(`${tool.url}/lti/jwks`)).json();
      const claims = verifyJwt(form.client_assertion || '', toolKeys);
      if (claims.iss !== tool.clientId || claims.sub !== tool.clientId) throw new Error(`client assertion iss/sub ${claims.iss}/${claims.sub}`);
      const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (!aud.includes(`${origin}/token`)) throw new Error(`client assertion aud ${claims.aud}`);
      if (!(form.scope || '').split(' ').includes(NRPS_SCOPE)) throw new Error(`scope ${form.scope}`);
    } catch (e) {
      seen.errors.push(`token request: ${e.message}`);
      return json(res, 400, { error: 'invalid_client', error_description: e.message });
    }
    const access = crypto.randomBytes(16).toString('hex');
    tokens.add(access);
    return json(res, 200, { access_token: access, token_type: 'Bearer', expires_in: 3600, scope: form.scope });
  }

  function memberships(req, res) {
    seen.membershipRequests++;
    const bearer = (req.headers.authorization || '').replace(/^Bearer /, '');
    if (!tokens.has(bearer)) {
      seen.errors.push('membership request without a token from /token');
      return json(res, 401, { error: 'invalid_token' });
    }
    const members = roster.map((sub) => ({
      user_id: sub, name: users[sub].name, email: `${sub}@lms.example.com`, status: 'Active', roles: [ROLE[users[sub].role]],
    }));
    return json(res, 200, { id: `${origin}/memberships/${encodeURIComponent(course.id)}`,
      context: { id: course.id, label: 'SMS-E2E', title: course.title }, members },
    'application/vnd.ims.lti-nrps.v2.membershipcontainer+json');
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, origin);
    const route = `${req.method} ${url.pathname}`;
    Promise.resolve().then(() => {
      if (route === 'GET /jwks') return json(res, 200, jwks);
      if (route === 'GET /course') return coursePage(res, url.searchParams);
      if (route === 'GET /auth') return authorize(res, url.searchParams);
      if (route === 'POST /token') return token(req, res);
      if (route === `GET /memberships/${encodeURIComponent(course.id)}`) return memberships(req, res);
      if (route === 'GET /favicon.ico') { res.writeHead(204); return res.end(); }
      return refuse(res, `platform: no route ${route}`);
    }).catch((e) => refuse(res, `platform: ${route}: ${e.message}`));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  return {
    issuer: origin,
    origin,
    seen,
    registration: {
      name: 'E2E LMS', issuer: origin, clientId: tool.clientId, deploymentIds: [tool.deploymentId],
      authLoginUrl: `${origin}/auth`, tokenUrl: `${origin}/token`, jwksUrl: `${origin}/jwks`,
    },
    courseUrl: (as, present = 'frame') => `${origin}/course?as=${encodeURIComponent(as)}&present=${present}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}
