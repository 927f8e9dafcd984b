/*
 * Black Belt AU runtime: turns a semantic HTML page into a paged cmi5 assignable unit.
 * cmi5 (AICC CMI-5, sections 8-11), xAPI 1.0.3. Vanilla ES2018, no dependencies, no build step.
 * Markup contract, behaviour and statement sequence: packages/README.md.
 *
 * Sections: helpers · LRS and server access · statement queue · page chrome · disclosure
 * widgets · questions (one kind per type) · scenarios · the attempt (draw, shuffle, resume) ·
 * company variables · submit, result and review · exit · launch.
 */
(function () {
  'use strict';
  var VERB = 'http://adlnet.gov/expapi/verbs/';
  var CAT = 'https://w3id.org/xapi/cmi5/context/categories/';
  var EXT_PROGRESS = 'https://w3id.org/xapi/cmi5/result/extensions/progress';
  var EXT_MASTERY = 'https://w3id.org/xapi/cmi5/context/extensions/masteryscore';
  var INTERACTION = 'http://adlnet.gov/expapi/activities/cmi.interaction';
  var STATUS_ID = 'https://blackbelt.example/xapi/state/au-status'; // AU-owned: what this registration already earned
  var ATTEMPT_ID = 'https://blackbelt.example/xapi/state/attempt'; // AU-owned: the open attempt, for resume
  var VAR_NAMES = ['company_name', 'policy_url', 'coe_name', 'coe_contact', 'escalation_contact', 'logo_url'];
  var LANG = 'en-US';
  var S = { queue: [], waiters: [], sending: false, delay: 0, timer: 0, ready: false, halted: false,
    mode: 'Normal', launch: {}, prior: {}, page: 0, furthest: 0, submitted: false,
    terminated: false, exiting: false, start: Date.now(), sess: {}, attempt: null, vars: {} };
  var ui = {}, pages = [], questions = [], scenarios = [], pools = [], main = null;

  /* ---------- small helpers ---------- */
  function all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function make(tag, attrs, text) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (text != null) n.textContent = text;
    return n;
  }
  function clean(t) { return String(t || '').replace(/\s+/g, ' ').trim(); }
  function langMap(t) { var m = {}; m[LANG] = clean(t); return m; }
  function list(s) { return String(s || '').split(',').map(function (v) { return v.trim(); }).filter(Boolean); }
  function shuffled(arr) {
    var a = arr.slice(), i, j, t;
    for (i = a.length - 1; i > 0; i--) { j = Math.floor(Math.random() * (i + 1)); t = a[i]; a[i] = a[j]; a[j] = t; }
    return a;
  }
  function sameList(a, b) { return a.length === b.length && a.every(function (v, i) { return v === b[i]; }); }
  function sameSet(a, b) { return a.length === b.length && a.every(function (v) { return b.indexOf(v) >= 0; }); }
  /** Puts sibling `nodes` in `order` where the first of them stood. */
  function reorder(nodes, order) {
    if (!nodes.length) return;
    var mark = document.createComment('');
    nodes[0].parentNode.insertBefore(mark, nodes[0]);
    order.forEach(function (n) { mark.parentNode.insertBefore(n, mark); });
    mark.parentNode.removeChild(mark);
  }
  var idSeq = 0;
  function ensureId(n, prefix) { if (!n.id) n.id = 'bb-' + prefix + '-' + (++idSeq); return n.id; }
  function uuid() {
    var c = window.crypto;
    if (c && typeof c.randomUUID === 'function') return c.randomUUID();
    var b = new Uint8Array(16), i;
    if (c && c.getRandomValues) c.getRandomValues(b);
    else for (i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }
  /** ISO 8601 duration with centisecond precision, e.g. PT4M12.5S. */
  function duration(ms) {
    var cs = Math.max(0, Math.round(ms / 10)), h = Math.floor(cs / 360000), m = Math.floor((cs % 360000) / 6000);
    return 'PT' + (h ? h + 'H' : '') + (m ? m + 'M' : '') + ((cs % 6000) / 100) + 'S';
  }
  function elapsed() { return duration(Date.now() - S.start); }
  function sessionKey() { return 'bb-au:' + S.fetchUrl; }
  function saveSession(patch) {
    Object.assign(S.sess, patch);
    try { sessionStorage.setItem(sessionKey(), JSON.stringify(S.sess)); } catch (e) { /* storage can be blocked inside an LMS iframe */ }
  }
  function loadSession() {
    try { return JSON.parse(sessionStorage.getItem(sessionKey()) || '{}') || {}; } catch (e) { return {}; }
  }
  /** A URL from settings is used only if it is http(s), mailto or same-site: never javascript: or data:. */
  function safeUrl(v, mailOk) {
    v = clean(v);
    if (!v) return null;
    if (mailOk && /^[^\s@/:]+@[^\s@/]+\.[^\s@/]+$/.test(v)) return 'mailto:' + v;
    if (/^(https?:|mailto:)/i.test(v) || /^\/(?!\/)/.test(v)) return v;
    return null;
  }

  /* ---------- messages ---------- */
  function note(text) { ui.note.textContent = text || ''; ui.note.hidden = !text; }
  function showError(text, kind) {
    if (!text) { if (S.errKind === 'retry') { ui.alert.hidden = true; ui.alertText.textContent = ''; S.errKind = null; } return; }
    if (S.errKind === 'fatal' && kind !== 'fatal') return;
    S.errKind = kind;
    if (ui.alertText.textContent !== text) ui.alertText.textContent = text;
    ui.retry.hidden = kind !== 'retry';
    ui.alert.hidden = false;
  }

  /* ---------- LRS and server access ---------- */
  function lrs(method, path, body, keepalive) {
    var opt = { method: method, keepalive: !!keepalive,
      headers: { 'Authorization': 'Basic ' + S.token, 'X-Experience-API-Version': '1.0.3' } };
    if (body !== undefined) { opt.body = JSON.stringify(body); opt.headers['Content-Type'] = 'application/json'; }
    return fetch(S.endpoint + path, opt);
  }
  /** Black Belt's own learner API (/api/learn/*, /api/survey/*), on the AU's origin, with the launch token. */
  function app(method, path, body) {
    var opt = { method: method, headers: { 'Authorization': 'Basic ' + S.token, 'Accept': 'application/json' } };
    if (body !== undefined) { opt.body = JSON.stringify(body); opt.headers['Content-Type'] = 'application/json'; }
    return fetch(window.location.origin + path, opt);
  }
  function stateUrl(id) {
    return 'activities/state?' + new URLSearchParams({ stateId: id, activityId: S.aid,
      agent: JSON.stringify(S.actor), registration: S.reg }).toString();
  }
  function getState(id) {
    return lrs('GET', stateUrl(id)).then(function (r) {
      if (r.status === 404) return null;
      if (!r.ok) throw new Error('The learning system answered ' + r.status + ' when asked for ' + id + '.');
      return r.json();
    });
  }
  function okOrThrow(r) { if (!r.ok && r.status !== 404) throw new Error('HTTP ' + r.status); return r; }
  function getToken() {
    if (S.sess.token) return Promise.resolve(S.sess.token); // page reload inside the same launch
    return fetch(S.fetchUrl, { method: 'POST' }).then(function (r) {
      return r.json().catch(function () { return {}; });
    }).then(function (j) {
      if (!j || !j['auth-token']) {
        throw new Error(j && j['error-code'] === '1' ? 'This launch link has already been used or has expired.'
          : 'The learning system did not issue an access token' + (j && j['error-text'] ? ' (' + j['error-text'] + ')' : '') + '.');
      }
      saveSession({ token: j['auth-token'] });
      return j['auth-token'];
    });
  }
  function launched() { return S.ready && !S.failedStart && !S.halted; }

  /* ---------- statement queue ---------- */
  function record(verb, extra) {
    if (S.terminated || S.mode === 'Preview' || S.failedStart) return;
    S.queue.push(Object.assign({ id: uuid(), ts: new Date().toISOString(), verb: verb }, extra || {}));
    pump();
  }
  function build(sp) {
    var ctx = JSON.parse(JSON.stringify(S.launch.contextTemplate || {}));
    ctx.registration = S.reg;
    var ca = ctx.contextActivities = ctx.contextActivities || {};
    (sp.cats || []).forEach(function (c) {
      ca.category = ca.category || [];
      if (!ca.category.some(function (a) { return a.id === CAT + c; })) ca.category.push({ objectType: 'Activity', id: CAT + c });
    });
    if (sp.parent) { ca.parent = ca.parent || []; ca.parent.push({ objectType: 'Activity', id: S.aid }); }
    if (sp.ctxExt) ctx.extensions = Object.assign({}, sp.ctxExt, ctx.extensions || {}); // template values win
    var st = { id: sp.id, timestamp: sp.ts, actor: S.actor,
      verb: { id: VERB + sp.verb, display: langMap(sp.verb) },
      object: { objectType: 'Activity', id: sp.object || S.aid } };
    if (sp.def) st.object.definition = sp.def;
    if (sp.result) st.result = sp.result;
    st.context = ctx;
    return st;
  }
  function pump() {
    if (S.sending || !S.ready || S.halted) return;
    if (!S.queue.length) { var w = S.waiters; S.waiters = []; w.forEach(function (f) { f(); }); return; }
    var sp = S.queue[0];
    S.sending = true;
    lrs('POST', 'statements', build(sp), true).then(function (r) {
      S.sending = false;
      if (r.ok || r.status === 409) { // 409: the id is already stored, i.e. an earlier try got through
        S.queue.shift(); S.delay = 0; showError('');
      } else if (r.status === 401) {
        S.halted = true;
        showError('Your session with the learning system has expired, so recent answers could not be saved. ' +
          'Please close this window and launch the module again from your learning portal.', 'fatal');
        var w = S.waiters; S.waiters = []; w.forEach(function (f) { f(); });
        return;
      } else if (r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429) {
        S.queue.shift();
        S.refused = true;
        if (window.console) console.error('Black Belt: statement refused', r.status, build(sp));
        showError('The learning system refused one record (' + sp.verb + ', status ' + r.status +
          '). Please let your program administrator know.', 'refused');
      } else {
        throw new Error('HTTP ' + r.status);
      }
      pump();
    }).catch(function () {
      S.sending = false;
      S.delay = Math.min(S.delay ? S.delay * 2 : 2, 60);
      showError('We cannot reach the learning system right now, so your latest progress is not saved yet. ' +
        'Nothing is lost: we will keep trying automatically.', 'retry');
      clearTimeout(S.timer);
      S.timer = setTimeout(pump, S.delay * 1000);
    });
  }
  function drained() { return new Promise(function (res) { S.waiters.push(res); pump(); }); }
  /** Last-chance delivery when the page goes away: one keepalive POST with everything still queued. */
  function flushOnHide() {
    var pending = S.queue.slice(S.sending ? 1 : 0);
    if (!pending.length) return;
    S.queue = S.queue.slice(0, S.sending ? 1 : 0);
    try { lrs('POST', 'statements', pending.map(build), true).catch(function () {}); } catch (e) { /* page is closing */ }
  }

  /* ---------- page chrome ---------- */
  function button(text, cls, onClick, attrs) {
    var b = make('button', Object.assign({ type: 'button', 'class': 'bb-btn' + (cls ? ' ' + cls : '') }, attrs || {}), text);
    b.addEventListener('click', onClick);
    return b;
  }
  function panel(cls, title) {
    var p = make('section', { 'class': 'bb-panel ' + cls, 'aria-labelledby': cls + '-h' });
    p.hidden = true;
    p.appendChild(make('h2', { id: cls + '-h', tabindex: '-1' }, title));
    p.body = p.appendChild(make('div'));
    main.appendChild(p);
    return p;
  }
  function setupChrome() {
    document.documentElement.classList.add('bb-js');
    pages = all('section[data-bb-page]', main);
    ui.bar = make('div', { 'class': 'bb-bar' });
    ui.count = ui.bar.appendChild(make('p', { 'class': 'bb-count' }));
    ui.meter = ui.bar.appendChild(make('progress', { max: String(pages.length || 1), value: '1', 'aria-hidden': 'true' }));
    ui.exit = ui.bar.appendChild(button('Exit module', 'bb-quiet', askExit));
    ui.confirm = make('div', { 'class': 'bb-confirm', role: 'group', 'aria-labelledby': 'bb-confirm-q' });
    ui.confirmText = ui.confirm.appendChild(make('p', { id: 'bb-confirm-q', tabindex: '-1' }));
    var row = ui.confirm.appendChild(make('div', { 'class': 'bb-actions' }));
    row.appendChild(button('Exit now', 'bb-primary', exit));
    ui.stay = row.appendChild(button('Stay in the module', '', function () { ui.confirm.hidden = true; ui.exit.focus(); }));
    ui.confirm.hidden = true;
    ui.alert = make('div', { role: 'alert', 'class': 'bb-alert' });
    ui.alertText = ui.alert.appendChild(make('p'));
    ui.retry = ui.alert.appendChild(button('Try again now', '', function () { clearTimeout(S.timer); pump(); }));
    ui.note = make('p', { role: 'status', 'class': 'bb-note' });
    ui.alert.hidden = true; ui.note.hidden = true;
    var first = pages[0] || null;
    [ui.bar, ui.confirm, ui.alert, ui.note].forEach(function (n) { main.insertBefore(n, first); });
    ui.nav = make('nav', { 'class': 'bb-nav', 'aria-label': 'Module pages' });
    ui.prev = ui.nav.appendChild(button('Previous', '', function () { goTo(S.page - 1); }));
    ui.next = ui.nav.appendChild(button('Next', 'bb-primary', function () {
      if (S.page < pages.length - 1) goTo(S.page + 1); else if (S.submitted) showPanel(ui.result); else submit();
    }));
    main.appendChild(ui.nav);
    ui.result = panel('bb-result', 'Your result');
    ui.done = panel('bb-done', 'Session finished');
    pages.forEach(function (p) { var h = p.querySelector('h2, h1, h3'); if (h) h.setAttribute('tabindex', '-1'); });
  }
  function goTo(i, quiet) {
    if (i < 0 || i >= pages.length) return;
    S.page = i;
    pages.forEach(function (p, k) { p.hidden = k !== i; });
    ui.result.hidden = true; ui.done.hidden = true; ui.nav.hidden = false;
    ui.count.textContent = 'Page ' + (i + 1) + ' of ' + pages.length;
    ui.meter.value = i + 1;
    ui.prev.disabled = i === 0;
    var last = i === pages.length - 1;
    ui.next.textContent = !last ? 'Next' : S.submitted ? 'Back to your result'
      : askedQuestions().length || scenarios.length ? 'Submit answers' : 'Finish';
    if (!quiet) {
      var h = pages[i].querySelector('[tabindex="-1"]');
      if (h) h.focus(); else pages[i].scrollIntoView();
    }
    if (i > S.furthest) {
      S.furthest = i;
      if (!S.prior.completed && !S.completedSent) {
        var ext = {}; ext[EXT_PROGRESS] = Math.round(((i + 1) / pages.length) * 100);
        record('progressed', { result: { extensions: ext } });
      }
    }
    if (!quiet) saveAttemptSoon();
  }
  function showPanel(p) {
    pages.forEach(function (pg) { pg.hidden = true; });
    ui.result.hidden = p !== ui.result; ui.done.hidden = p !== ui.done; ui.nav.hidden = true;
    ui.count.textContent = p === ui.result ? 'Result' : 'Finished';
    ui.meter.value = pages.length || 1; // the module is behind the learner now: the bar is full
    p.querySelector('h2').focus();
  }
  function setBody(p, paragraphs, buttons) {
    p.body.textContent = '';
    paragraphs.forEach(function (t) { if (t) p.body.appendChild(typeof t === 'string' ? make('p', {}, t) : t); });
    var row = p.body.appendChild(make('div', { 'class': 'bb-actions' }));
    (buttons || []).forEach(function (b) { row.appendChild(b); });
    return row;
  }

  /* ---------- disclosure widgets: tabs and flip cards (details/summary need no script) ---------- */
  function setupTabs(box) {
    var secs = all(':scope > section[data-tab]', box);
    if (secs.length < 2) return;
    var bar = make('div', { role: 'tablist', 'class': 'bb-tablist' });
    var tabs = secs.map(function (sec, k) {
      var tab = make('button', { type: 'button', role: 'tab', 'class': 'bb-tab', id: ensureId(make('i'), 'tab'),
        'aria-controls': ensureId(sec, 'tabpanel') }, sec.getAttribute('data-tab'));
      sec.setAttribute('role', 'tabpanel');
      sec.setAttribute('aria-labelledby', tab.id);
      sec.setAttribute('tabindex', '0');
      tab.addEventListener('click', function () { select(k, false); });
      tab.addEventListener('keydown', function (e) {
        var to = e.key === 'ArrowRight' ? k + 1 : e.key === 'ArrowLeft' ? k - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? secs.length - 1 : null;
        if (to === null) return;
        e.preventDefault();
        select((to + secs.length) % secs.length, true);
      });
      return bar.appendChild(tab);
    });
    function select(k, focus) {
      tabs.forEach(function (t, j) {
        t.setAttribute('aria-selected', String(j === k));
        t.setAttribute('tabindex', j === k ? '0' : '-1');
        secs[j].hidden = j !== k;
      });
      if (focus) tabs[k].focus();
    }
    box.insertBefore(bar, secs[0]);
    box.classList.add('bb-tabs-on');
    select(0, false);
  }
  function setupFlip(card) {
    var back = card.querySelector('.bb-flip-back');
    if (!back) return;
    ensureId(back, 'flip');
    back.hidden = true;
    var b = button(card.getAttribute('data-label') || 'Turn the card', 'bb-flip-btn', function () {
      var open = back.hidden;
      back.hidden = !open;
      b.setAttribute('aria-expanded', String(open));
      card.classList.toggle('bb-flipped', open);
    }, { 'aria-expanded': 'false', 'aria-controls': back.id });
    card.insertBefore(b, back);
  }

  /* ---------- questions ----------
   * Each question object: id, type, scored, fs, page, pool, plus
   *   read() → the answer (null when unanswered), write(a) restores one, lock(),
   *   isRight(a), said(a) → the answer in words, rightWords(), response(a) and def() for xAPI,
   *   shuffle/order for the attempt.                                                    */
  function labelOf(input) {
    var l = (input.labels && input.labels[0]) || input.closest('label');
    return l ? clean(l.textContent) : input.value;
  }
  function optionNode(input, fs) {
    var l = input.closest('label');
    if (l && fs.contains(l)) return l;
    return input.parentNode === fs ? input : input.parentNode; // label[for] next to its input, in a wrapper
  }
  function legendOf(fs, fallback) { var l = fs.querySelector('legend'); return l ? clean(l.textContent) : fallback; }
  function hint(fs, text) {
    var p = make('p', { 'class': 'bb-hint', id: ensureId(make('i'), 'hint') }, text);
    var legend = fs.querySelector('legend');
    if (legend && legend.nextSibling) fs.insertBefore(p, legend.nextSibling); else fs.insertBefore(p, fs.firstChild);
    fs.setAttribute('aria-describedby', p.id);
  }
  function changed() { if (!S.submitted) saveAttemptSoon(); }

  function optionQuestion(q) {
    var fs = q.fs;
    q.inputs = all('input[type="radio"], input[type="checkbox"]', fs);
    q.multi = q.type === 'choice' && q.inputs.some(function (i) { return i.type === 'checkbox'; });
    q.right = q.multi ? list(q.correct) : q.correct;
    q.canShuffle = q.type === 'choice' && q.scored; // survey options (often a scale) keep their order
    q.values = function () { return q.inputs.map(function (i) { return i.value; }); };
    q.nodes = function () { return q.inputs.map(function (i) { return optionNode(i, fs); }); };
    q.setOrder = function (order) {
      var byVal = {}; q.inputs.forEach(function (i) { byVal[i.value] = optionNode(i, fs); });
      if (!sameSet(order, Object.keys(byVal))) return false;
      reorder(q.nodes(), order.map(function (v) { return byVal[v]; }));
      return true;
    };
    q.read = function () {
      var picked = q.inputs.filter(function (i) { return i.checked; }).map(function (i) { return i.value; });
      if (!picked.length) return null;
      return q.multi ? picked : picked[0];
    };
    q.write = function (a) {
      var want = Array.isArray(a) ? a : [a];
      q.inputs.forEach(function (i) { i.checked = want.indexOf(i.value) >= 0; });
    };
    q.isRight = function (a) { return q.multi ? sameSet(a || [], q.right) : a === q.right; };
    q.wordsFor = function (v) { var i = q.inputs.filter(function (x) { return x.value === v; })[0]; return i ? labelOf(i) : v; };
    q.said = function (a) { return a == null ? 'No answer' : (Array.isArray(a) ? a : [a]).map(q.wordsFor).join('; '); };
    q.rightWords = function () { return (q.multi ? q.right : [q.right]).map(q.wordsFor).join('; '); };
    // xAPI 1.0.3 "Interaction Activities": multiple responses are joined with "[,]".
    q.response = function (a) { return Array.isArray(a) ? q.values().filter(function (v) { return a.indexOf(v) >= 0; }).join('[,]') : String(a); };
    q.def = function () {
      var d = { type: INTERACTION, name: langMap(legendOf(fs, q.id)), interactionType: q.type === 'choice' ? 'choice' : q.type };
      var comps = q.inputs.map(function (i) { return { id: i.value, description: langMap(labelOf(i)) }; });
      if (q.type === 'choice') d.choices = comps;
      if (q.type === 'likert') d.scale = comps;
      if (q.scored) d.correctResponsesPattern = [q.multi ? q.right.join('[,]') : q.right];
      return d;
    };
    q.lock = function (on) { q.inputs.forEach(function (i) { i.disabled = on; }); };
    q.feedbackFor = function (a) { return a == null ? [] : Array.isArray(a) ? a : [a]; };
    if (q.multi) hint(fs, 'Choose all that apply.');
    fs.addEventListener('change', changed);
  }

  function fillInQuestion(q) {
    q.area = q.fs.querySelector('textarea');
    q.read = function () { var v = q.area ? q.area.value.trim() : ''; return v ? v : null; };
    q.write = function (a) { if (q.area) q.area.value = a || ''; };
    q.said = function (a) { return a == null ? 'No answer' : a; };
    q.response = function (a) { return String(a); };
    q.def = function () { return { type: INTERACTION, name: langMap(legendOf(q.fs, q.id)), interactionType: 'fill-in' }; };
    q.lock = function (on) { if (q.area) q.area.readOnly = on; };
    q.isRight = function () { return undefined; };
    q.feedbackFor = function () { return []; };
    if (q.area) q.area.addEventListener('input', changed);
  }

  function sequencingQuestion(q) {
    var ol = q.fs.querySelector('[data-bb-items]');
    q.items = ol ? all(':scope > li[data-value]', ol) : [];
    q.right = list(q.correct);
    q.canShuffle = true;
    q.mustDiffer = q.right; // a shown order that is already right would score "leave as shown"
    var live = make('p', { 'class': 'bb-sr-only', 'aria-live': 'polite' });
    q.fs.appendChild(live);
    q.text = {};
    q.items.forEach(function (li) {
      var v = li.getAttribute('data-value');
      q.text[v] = clean(li.textContent);
      var ctl = make('span', { 'class': 'bb-move' });
      ctl.appendChild(button('Move up', 'bb-small', function () { move(li, -1); }, { 'aria-label': 'Move up: ' + q.text[v] }));
      ctl.appendChild(button('Move down', 'bb-small', function () { move(li, 1); }, { 'aria-label': 'Move down: ' + q.text[v] }));
      li.appendChild(ctl);
    });
    function current() { return all(':scope > li[data-value]', ol); }
    function refresh() {
      var lis = current();
      lis.forEach(function (li, k) {
        var b = li.querySelectorAll('.bb-move button');
        b[0].disabled = S.submitted || k === 0; b[1].disabled = S.submitted || k === lis.length - 1;
      });
    }
    function move(li, step) {
      var lis = current(), k = lis.indexOf(li), to = k + step;
      if (to < 0 || to >= lis.length) return;
      if (step < 0) ol.insertBefore(li, lis[to]); else ol.insertBefore(lis[to], li);
      refresh();
      var btns = li.querySelectorAll('.bb-move button'), want = btns[step < 0 ? 0 : 1];
      (want.disabled ? btns[step < 0 ? 1 : 0] : want).focus();
      live.textContent = q.text[li.getAttribute('data-value')] + ': now ' + (to + 1) + ' of ' + lis.length + '.';
      changed();
    }
    q.values = function () { return current().map(function (li) { return li.getAttribute('data-value'); }); };
    q.nodes = current;
    q.setOrder = function (order) {
      var byVal = {}; q.items.forEach(function (li) { byVal[li.getAttribute('data-value')] = li; });
      if (!sameSet(order, Object.keys(byVal))) return false;
      reorder(current(), order.map(function (v) { return byVal[v]; }));
      refresh();
      return true;
    };
    q.read = function () { return q.values(); };
    q.write = function (a) { if (Array.isArray(a)) q.setOrder(a); };
    q.isRight = function (a) { return sameList(a || [], q.right); };
    q.said = function (a) { return (a || []).map(function (v, k) { return (k + 1) + '. ' + q.text[v]; }).join('  '); };
    q.rightWords = function () { return q.said(q.right); };
    q.response = function (a) { return a.join('[,]'); };
    q.def = function () {
      var d = { type: INTERACTION, name: langMap(legendOf(q.fs, q.id)), interactionType: 'sequencing',
        choices: q.items.map(function (li) { var v = li.getAttribute('data-value'); return { id: v, description: langMap(q.text[v]) }; }) };
      if (q.scored) d.correctResponsesPattern = [q.right.join('[,]')];
      return d;
    };
    q.lock = function () { refresh(); };
    q.feedbackFor = function () { return []; };
    hint(q.fs, 'Put the steps in order with the Move up and Move down buttons.');
    refresh();
  }

  function matchingQuestion(q) {
    var srcList = q.fs.querySelector('[data-bb-sources]'), tgtList = q.fs.querySelector('[data-bb-targets]');
    q.sources = srcList ? all(':scope > li[data-value]', srcList) : [];
    q.targets = tgtList ? all(':scope > li[data-value]', tgtList) : [];
    q.right = {};
    list(q.correct).forEach(function (p) { var s = p.split('.'); q.right[s[0]] = s[1]; });
    q.canShuffle = true;
    q.tText = {}; q.sText = {};
    q.targets.forEach(function (li) { q.tText[li.getAttribute('data-value')] = clean(li.textContent); });
    if (tgtList && q.sources.length) tgtList.hidden = true; // every target is an option of each select
    q.selects = q.sources.map(function (li) {
      var v = li.getAttribute('data-value');
      q.sText[v] = clean(li.textContent);
      var text = make('span', { 'class': 'bb-match-text', id: ensureId(make('i'), 'src') });
      while (li.firstChild) text.appendChild(li.firstChild);
      li.appendChild(text);
      var sel = make('select', { 'aria-labelledby': text.id, 'data-source': v });
      sel.appendChild(make('option', { value: '' }, 'Choose…'));
      li.appendChild(sel);
      sel.addEventListener('change', changed);
      return sel;
    });
    q.values = function () { return q.targets.map(function (li) { return li.getAttribute('data-value'); }); };
    q.order = q.values();
    q.nodes = function () { return []; };
    q.setOrder = function (order) {
      if (!sameSet(order, q.values())) return false;
      q.order = order;
      q.selects.forEach(function (sel) {
        var keep = sel.value;
        while (sel.options.length > 1) sel.removeChild(sel.options[1]);
        order.forEach(function (t) { sel.appendChild(make('option', { value: t }, q.tText[t])); });
        sel.value = keep;
      });
      return true;
    };
    q.setOrder(q.order);
    q.read = function () {
      var m = {}, any = false, missing = false;
      q.selects.forEach(function (sel) { if (sel.value) { m[sel.getAttribute('data-source')] = sel.value; any = true; } else missing = true; });
      return !any ? null : missing ? { partial: m } : m;
    };
    q.write = function (a) {
      var m = (a && a.partial) || a || {};
      q.selects.forEach(function (sel) { sel.value = m[sel.getAttribute('data-source')] || ''; });
    };
    q.isRight = function (a) { return !!a && !a.partial && Object.keys(q.right).every(function (s) { return a[s] === q.right[s]; }); };
    q.said = function (a) {
      var m = (a && a.partial) || a || {};
      return Object.keys(q.sText).map(function (s) { return q.sText[s] + ' → ' + (q.tText[m[s]] || 'no answer'); }).join('  ');
    };
    q.rightWords = function () { return q.said(q.right); };
    q.response = function (a) { return Object.keys(a).map(function (s) { return s + '[.]' + a[s]; }).join('[,]'); };
    q.def = function () {
      var d = { type: INTERACTION, name: langMap(legendOf(q.fs, q.id)), interactionType: 'matching',
        source: Object.keys(q.sText).map(function (s) { return { id: s, description: langMap(q.sText[s]) }; }),
        target: q.values().map(function (t) { return { id: t, description: langMap(q.tText[t]) }; }) };
      if (q.scored) d.correctResponsesPattern = [Object.keys(q.right).map(function (s) { return s + '[.]' + q.right[s]; }).join('[,]')];
      return d;
    };
    q.lock = function (on) { q.selects.forEach(function (s) { s.disabled = on; }); };
    q.feedbackFor = function () { return []; };
    hint(q.fs, 'Choose the best response for each situation.');
  }

  function setupQuestion(fs) {
    var q = { id: fs.getAttribute('data-bb-question'), type: fs.getAttribute('data-type') || 'choice',
      correct: fs.getAttribute('data-correct'), fs: fs };
    q.scored = fs.getAttribute('data-scored') !== 'false' && !!q.correct;
    q.page = Math.max(0, pages.findIndex(function (p) { return p.contains(fs); }));
    var pool = fs.closest('[data-bb-pool]');
    q.pool = pool ? pool.getAttribute('data-bb-pool') : null;
    if (q.type === 'sequencing') sequencingQuestion(q);
    else if (q.type === 'matching') matchingQuestion(q);
    else if (q.type === 'fill-in') fillInQuestion(q);
    else optionQuestion(q);
    all('input', fs).forEach(function (i) {
      if (!((i.labels && i.labels.length) || i.closest('label')) && window.console) console.warn('Black Belt: unlabelled option in', q.id);
    });
    // Feedback and explanations wait for submit: no correctness shows before it.
    q.feedback = all('[data-feedback-for]', fs);
    q.explain = all('[data-explanation]', fs);
    q.feedback.concat(q.explain).forEach(function (n) { n.hidden = true; });
    q.status = fs.appendChild(make('p', { 'class': 'bb-verdict' }));
    questions.push(q);
  }
  function askedQuestions() { return questions.filter(function (q) { return !q.drawnOut; }); }

  /* ---------- branching scenarios (one scored item each) ---------- */
  function setupScenario(box) {
    var sc = { id: box.getAttribute('data-bb-scenario'), box: box, path: [], scored: box.getAttribute('data-scored') !== 'false',
      page: Math.max(0, pages.findIndex(function (p) { return p.contains(box); })) };
    var h = box.querySelector('h3, h2, h4');
    sc.title = h ? clean(h.textContent) : sc.id;
    sc.steps = {}; sc.endings = {};
    sc.stepList = all('[data-bb-step]', box).map(function (fs) {
      var st = { id: fs.getAttribute('data-bb-step'), fs: fs, inputs: all('input[type="radio"]', fs) };
      fs.setAttribute('tabindex', '-1');
      st.next = button('Continue', 'bb-primary', function () { advance(st); });
      st.msg = make('p', { 'class': 'bb-verdict' });
      fs.appendChild(st.next); fs.appendChild(st.msg);
      sc.steps[st.id] = st;
      return st;
    });
    all('[data-bb-ending]', box).forEach(function (e) {
      e.setAttribute('tabindex', '-1');
      sc.endings[e.getAttribute('data-bb-ending')] = { id: e.getAttribute('data-bb-ending'), el: e, best: e.getAttribute('data-outcome') === 'best' };
    });
    // No "start again": decisions are final, as they are in the situation itself. A restart
    // would let a learner walk every branch and keep the one whose ending reads best.
    function wordsFor(st, v) { var i = st.inputs.filter(function (x) { return x.value === v; })[0]; return i ? labelOf(i) : v; }
    sc.reset = function () {
      sc.path = [];
      sc.stepList.forEach(function (st, k) {
        st.fs.hidden = k !== 0; st.inputs.forEach(function (i) { i.checked = false; i.disabled = false; }); st.next.hidden = false; st.msg.textContent = '';
      });
      Object.keys(sc.endings).forEach(function (k) { sc.endings[k].el.hidden = true; });
      sc.ending = null;
    };
    /** Shows the step or ending a choice leads to; returns it (or null). */
    function reveal(target) {
      if (sc.steps[target]) { var st = sc.steps[target]; st.fs.hidden = false; return st.fs; }
      if (sc.endings[target]) { sc.ending = sc.endings[target]; sc.ending.el.hidden = false; return sc.ending.el; }
      return null;
    }
    function advance(st, quiet) {
      var pick = st.inputs.filter(function (i) { return i.checked; })[0];
      if (!pick) { st.msg.textContent = 'Choose an option first.'; if (!quiet && st.inputs[0]) st.inputs[0].focus(); return; }
      st.msg.textContent = '';
      st.inputs.forEach(function (i) { i.disabled = true; });
      st.next.hidden = true;
      sc.path.push([st.id, pick.value]);
      var shown = reveal(pick.getAttribute('data-next'));
      if (shown && !quiet) shown.focus();
      if (!quiet) changed();
    }
    sc.read = function () { return sc.ending ? sc.path.slice() : (sc.path.length ? { partial: sc.path.slice() } : null); };
    sc.write = function (path) {
      sc.reset();
      (Array.isArray(path) ? path : (path && path.partial) || []).forEach(function (p) {
        var st = sc.steps[p[0]];
        if (!st || st.fs.hidden) return;
        st.inputs.forEach(function (i) { i.checked = i.value === p[1]; });
        advance(st, true);
      });
    };
    sc.isRight = function (a) { return Array.isArray(a) && !!sc.ending && sc.ending.best; };
    sc.said = function (a) {
      var path = Array.isArray(a) ? a : (a && a.partial) || [];
      return path.map(function (p) { return wordsFor(sc.steps[p[0]], p[1]); }).join(' → ') +
        (sc.ending ? ' (' + (sc.ending.best ? 'the best outcome' : 'not the best outcome') + ')' : '');
    };
    sc.response = function (a) { return a.map(function (p) { return p[0] + '.' + p[1]; }).join('[,]'); };
    sc.def = function () { return { type: INTERACTION, name: langMap(sc.title), interactionType: 'other' }; };
    sc.lock = function (on) { sc.stepList.forEach(function (st) { if (on) { st.inputs.forEach(function (i) { i.disabled = true; }); st.next.hidden = true; } }); };
    sc.canShuffle = true;
    sc.reset();
    box.addEventListener('change', changed);
    scenarios.push(sc);
  }

  /* ---------- the attempt: draw, shuffle, save, resume ---------- */
  function newAttempt() {
    var a = { v: 1, started: new Date().toISOString(), draw: {}, order: {}, page: 0, furthest: 0, answers: {} };
    pools.forEach(function (p) {
      var ids = all('fieldset[data-bb-question]', p).map(function (fs) { return fs.getAttribute('data-bb-question'); });
      var n = parseInt(p.getAttribute('data-draw'), 10);
      a.draw[p.getAttribute('data-bb-pool')] = shuffled(ids).slice(0, isNaN(n) || n < 1 ? 1 : n);
    });
    questions.forEach(function (q) {
      if (!q.canShuffle) return;
      var vals = q.values(), order = shuffled(vals), tries = 0;
      while (q.mustDiffer && vals.length > 1 && sameList(order, q.mustDiffer) && tries++ < 20) order = shuffled(vals);
      a.order[q.id] = order;
    });
    scenarios.forEach(function (sc) {
      sc.stepList.forEach(function (st) { a.order['scenario:' + sc.id + ':' + st.id] = shuffled(st.inputs.map(function (i) { return i.value; })); });
    });
    return a;
  }
  /** Applies a saved or new attempt to the page; false if it does not fit the page (content changed). */
  function applyAttempt(a) {
    if (!a || a.v !== 1 || typeof a.draw !== 'object' || typeof a.order !== 'object') return false;
    var drawn = {};
    var fits = pools.every(function (p) {
      var ids = all('fieldset[data-bb-question]', p).map(function (fs) { return fs.getAttribute('data-bb-question'); });
      var d = a.draw[p.getAttribute('data-bb-pool')];
      if (!Array.isArray(d) || !d.length || d.some(function (id) { return ids.indexOf(id) < 0; })) return false;
      d.forEach(function (id) { drawn[id] = true; });
      return true;
    });
    if (!fits) return false;
    questions.forEach(function (q) {
      q.drawnOut = !!q.pool && !drawn[q.id];
      q.fs.hidden = q.drawnOut;
      if (q.canShuffle && a.order[q.id]) q.setOrder(a.order[q.id]);
    });
    scenarios.forEach(function (sc) {
      sc.stepList.forEach(function (st) {
        var order = a.order['scenario:' + sc.id + ':' + st.id], byVal = {};
        st.inputs.forEach(function (i) { byVal[i.value] = optionNode(i, st.fs); });
        if (Array.isArray(order) && sameSet(order, Object.keys(byVal))) reorder(st.inputs.map(function (i) { return optionNode(i, st.fs); }), order.map(function (v) { return byVal[v]; }));
      });
    });
    var ans = a.answers || {};
    questions.forEach(function (q) { q.write(ans[q.id] != null ? ans[q.id] : null); });
    scenarios.forEach(function (sc) { sc.write(ans['scenario:' + sc.id]); });
    S.attempt = a;
    S.furthest = Math.max(S.furthest, Math.min(a.furthest || 0, pages.length - 1));
    goTo(Math.min(Math.max(a.page || 0, 0), pages.length - 1), true);
    return true;
  }
  function snapshot() {
    var a = S.attempt;
    if (!a) return null;
    a.page = S.page; a.furthest = S.furthest; a.answers = {};
    askedQuestions().forEach(function (q) { var v = q.read(); if (v != null) a.answers[q.id] = v; });
    scenarios.forEach(function (sc) { var v = sc.read(); if (v != null) a.answers['scenario:' + sc.id] = v; });
    return a;
  }
  function canStoreAttempt() { return launched() && S.mode !== 'Preview' && !S.submitted && !S.terminated && S.attempt; }
  function saveAttempt(keepalive) {
    clearTimeout(S.saveTimer);
    if (!canStoreAttempt()) return Promise.resolve();
    return lrs('PUT', stateUrl(ATTEMPT_ID), snapshot(), keepalive).then(okOrThrow).catch(function () {
      if (window.console) console.warn('Black Belt: could not save the attempt for resume');
    });
  }
  function saveAttemptSoon() {
    if (!canStoreAttempt()) return;
    clearTimeout(S.saveTimer);
    S.saveTimer = setTimeout(saveAttempt, 700);
  }

  /* ---------- company variables ---------- */
  function applyVars(v) {
    all('[data-bb-var]').forEach(function (n) {
      var val = v[n.getAttribute('data-bb-var')];
      if (typeof val === 'string' && clean(val)) n.textContent = clean(val);
    });
    all('[data-bb-href]').forEach(function (n) {
      var url = safeUrl(v[n.getAttribute('data-bb-href')], true);
      if (url) n.setAttribute('href', url);
    });
    all('img[data-bb-src]').forEach(function (n) {
      var url = safeUrl(v[n.getAttribute('data-bb-src')], false);
      if (url) { n.setAttribute('src', url); n.hidden = false; }
    });
  }
  function pickVars(o) {
    var out = {};
    if (o && typeof o === 'object' && !Array.isArray(o)) VAR_NAMES.forEach(function (k) { if (typeof o[k] === 'string') out[k] = o[k]; });
    return out;
  }
  function loadVars() {
    var lp = {};
    try { lp = pickVars(JSON.parse(S.launch.launchParameters || 'null')); } catch (e) { lp = {}; }
    applyVars(lp);
    // Settings never block the module or show an error: without them the page keeps its defaults.
    app('GET', '/api/learn/settings').then(function (r) { return r.ok ? r.json() : null; }).then(function (j) {
      S.vars = Object.assign(pickVars(j), lp); // launchParameters win
      applyVars(S.vars);
    }).catch(function () {});
  }

  /* ---------- submit, result and review ---------- */
  function mastery() {
    var m = S.launch.masteryScore;
    if (m !== undefined && m !== null && !isNaN(parseFloat(m))) return { value: parseFloat(m), fromLaunch: true };
    var a = parseFloat(main.getAttribute('data-mastery'));
    return { value: isNaN(a) ? 0.8 : a, fromLaunch: false };
  }
  /** Every item of this attempt: asked questions and scenarios, in page order. */
  function items() {
    return askedQuestions().map(function (q) { return { q: q, id: q.id, el: q.fs, page: q.page, kind: 'question' }; })
      .concat(scenarios.map(function (sc) { return { q: sc, id: sc.id, el: sc.box, page: sc.page, kind: 'scenario' }; }))
      .sort(function (a, b) { return a.el.compareDocumentPosition(b.el) & 4 ? -1 : 1; });
  }
  function unanswered(it) {
    var a = it.q.read();
    if (!it.q.scored) return false;
    return a == null || !!a.partial;
  }
  function submit() {
    if (!S.ready && !S.failedStart && S.mode !== 'Preview') {
      note('Still connecting to the learning system. Please try again in a moment.');
      return;
    }
    if (S.submitting) return;
    var its = items();
    var open = its.filter(unanswered);
    its.forEach(function (it) { if (it.kind === 'question') it.q.status.textContent = ''; });
    if (open.length) {
      note(open.length === 1 ? 'One question still needs an answer before you can submit.'
        : open.length + ' questions still need an answer before you can submit.');
      open.forEach(function (it) { if (it.kind === 'question') it.q.status.textContent = 'This question still needs an answer.'; });
      goTo(open[0].page, true);
      var target = all('input:not([disabled]), select, textarea, button', open[0].el)
        .filter(function (n) { return n.offsetParent !== null; })[0] || open[0].el;
      target.focus();
      return;
    }
    note('');
    var survey = main.getAttribute('data-bb-survey');
    if (survey === 'anonymous' && !its.some(function (it) { return it.q.scored; })) { submitAnonymous(its); return; }
    finish(its, false);
  }
  function lockAll() {
    S.submitted = true;
    clearTimeout(S.saveTimer);
    questions.forEach(function (q) { q.lock(true); });
    scenarios.forEach(function (sc) { sc.lock(true); });
  }
  /** Scores, records and shows the result. `anonymous`: the survey answers already went to the server. */
  function finish(its, anonymous) {
    var answers = its.map(function (it) { return { it: it, a: it.q.read() }; });
    lockAll();
    var scoredItems = answers.filter(function (x) { return x.it.q.scored; });
    scoredItems.forEach(function (x) { x.ok = !!x.it.q.isRight(x.a); });
    var res = { scored: scoredItems.length > 0, total: scoredItems.length,
      right: scoredItems.filter(function (x) { return x.ok; }).length, mastery: mastery() };
    if (res.scored) {
      res.scaled = Math.round((res.right / res.total) * 100) / 100;
      res.pass = res.scaled >= res.mastery.value;
    }
    var normal = S.mode === 'Normal' && S.ready && !S.failedStart;
    if (!anonymous) {
      answers.forEach(function (x) {
        if (x.a == null || x.a.partial) return;
        var result = { response: x.it.q.response(x.a) };
        if (x.it.q.scored) result.success = !!x.ok;
        record('answered', { object: (S.pub || S.aid) + '/question/' + x.it.id, def: x.it.q.def(), result: result, parent: true });
      });
    }
    if (normal) {
      var dur = elapsed();
      if (res.scored && !S.prior.passed) {
        var ctxExt = null;
        if (res.mastery.fromLaunch) { ctxExt = {}; ctxExt[EXT_MASTERY] = res.mastery.value; }
        record(res.pass ? 'passed' : 'failed', { cats: ['cmi5', 'moveon'], ctxExt: ctxExt, result: {
          score: { scaled: res.scaled, raw: res.right, min: 0, max: res.total }, success: res.pass, duration: dur } });
      }
      if (!S.prior.completed) record('completed', { cats: ['cmi5', 'moveon'], result: { completion: true, duration: dur } });
      S.completedSent = true;
    }
    showResult(res, answers, normal);
    if (S.ready && !S.failedStart && S.mode !== 'Preview') storeResult(res, normal);
  }
  /** After the statements: the status document, the attempt cleared, then the saved confirmation. */
  function storeResult(res, normal) {
    var status = { completed: normal || !!S.prior.completed, passed: !!(S.prior.passed || (normal && res.pass)) };
    // keepalive: the learner may exit right after submitting; the save must outlive the page.
    drained().then(function () {
      if (S.halted) throw new Error('halted');
      return Promise.all([
        normal ? lrs('PUT', stateUrl(STATUS_ID), status, true).then(okOrThrow) : null,
        lrs('DELETE', stateUrl(ATTEMPT_ID), undefined, true).then(okOrThrow), // a retake draws afresh
      ]);
    }).then(function () {
      if (S.refused) throw new Error('refused');
      ui.saved.className = 'bb-saved-ok';
      ui.saved.textContent = normal ? 'Saved: your ' + (res.scored ? 'result is' : 'responses are') + ' stored in your learning record.'
        : 'Saved. This ' + S.mode.toLowerCase() + ' visit does not count towards your certification.';
      note(ui.saved.textContent);
      if (normal) showSummary();
    }).catch(function () {
      ui.saved.className = 'bb-saved-bad';
      ui.saved.textContent = 'Your result could not be saved completely. Please launch the module again from your learning portal, or tell your program administrator.';
      note(ui.saved.textContent);
    });
  }
  function verdictBlock(res) {
    var box = make('div', { 'class': 'bb-verdict-box ' + (res.pass ? 'bb-pass' : 'bb-fail') });
    box.appendChild(make('span', { 'class': 'bb-icon', 'aria-hidden': 'true' }, res.pass ? '✓' : '✗'));
    box.appendChild(make('strong', {}, res.pass ? 'Passed' : 'Not passed yet'));
    return box;
  }
  function showResult(res, answers, normal) {
    var lines = [];
    if (res.scored) {
      lines.push(verdictBlock(res));
      lines.push('You answered ' + res.right + ' of ' + res.total + ' questions correctly (' + Math.round(res.scaled * 100) +
        '%). The pass mark is ' + Math.round(res.mastery.value * 100) + '%.');
      lines.push(res.pass ? 'Well done: you have reached the pass mark for this module.'
        : 'You have not reached the pass mark this time. Look through the review below, then launch the module again from your learning portal to retake the check with new questions.');
      if (normal && S.prior.passed) lines.push('You had already passed this module in this enrolment, so this attempt counts as practice.');
    } else {
      lines.push('Thank you for completing this module.');
    }
    ui.saved = make('p', { 'class': 'bb-saved-wait' });
    ui.saved.textContent = normal ? 'Saving to your learning record…'
      : S.mode === 'Normal' ? 'This was not recorded because the connection to the learning system failed. Launch the module again from your learning portal to get credit.'
        : 'This module was opened in ' + S.mode.toLowerCase() + ' mode, so nothing counts towards your certification.';
    lines.push(ui.saved);
    setBody(ui.result, lines, [button('Look at the pages again', '', function () { goTo(0); }), button('Exit module', 'bb-primary', exit)]);
    ui.summary = ui.result.body.appendChild(make('div', { 'class': 'bb-summary' }));
    if (res.scored) ui.result.body.appendChild(review(answers));
    if (res.scored) markPages(answers);
    showPanel(ui.result);
  }
  function explanationsFor(q, a) {
    var out = [];
    if (q.feedbackFor) {
      var chosen = q.feedbackFor(a);
      (q.feedback || []).forEach(function (p) { if (chosen.indexOf(p.getAttribute('data-feedback-for')) >= 0) out.push(p); });
    }
    return out.concat(q.explain || []);
  }
  function review(answers) {
    var sec = make('section', { 'class': 'bb-review', 'aria-labelledby': 'bb-review-h' });
    sec.appendChild(make('h3', { id: 'bb-review-h' }, 'Review your answers'));
    var ol = sec.appendChild(make('ol'));
    answers.filter(function (x) { return x.it.q.scored; }).forEach(function (x) {
      var q = x.it.q, li = ol.appendChild(make('li', { 'class': x.ok ? 'bb-right' : 'bb-wrong' }));
      li.appendChild(make('p', { 'class': 'bb-review-q' }, x.it.kind === 'scenario' ? 'Scenario: ' + q.title : legendOf(q.fs, q.id)));
      var mark = li.appendChild(make('p', { 'class': 'bb-mark' }));
      mark.appendChild(make('span', { 'class': 'bb-icon', 'aria-hidden': 'true' }, x.ok ? '✓' : '✗'));
      mark.appendChild(document.createTextNode(x.ok ? ' Correct' : ' Not correct'));
      li.appendChild(make('p', {}, 'Your answer: ' + q.said(x.a)));
      if (!x.ok && x.it.kind === 'question') li.appendChild(make('p', {}, 'The right answer: ' + q.rightWords()));
      if (!x.ok && x.it.kind === 'scenario') li.appendChild(make('p', {}, 'The best outcome needed different choices along the way.'));
      if (x.it.kind === 'question') {
        explanationsFor(q, x.a).forEach(function (n) {
          var c = n.cloneNode(true); c.hidden = false; c.removeAttribute('id'); li.appendChild(c);
        });
      } else if (q.ending) {
        var e = q.ending.el.cloneNode(true); e.hidden = false; e.removeAttribute('tabindex'); e.removeAttribute('id');
        e.className = (e.className + ' bb-review-ending').trim(); li.appendChild(e);
      }
    });
    return sec;
  }
  /** After submit the pages show each asked question's verdict and explanation in place too. */
  function markPages(answers) {
    answers.forEach(function (x) {
      if (x.it.kind !== 'question' || !x.it.q.scored) return;
      var q = x.it.q;
      q.fs.classList.add(x.ok ? 'bb-right' : 'bb-wrong');
      q.status.textContent = x.ok ? '✓ Correct.' : '✗ Not correct. The right answer: ' + q.rightWords() + '.';
      explanationsFor(q, x.a).forEach(function (n) { n.hidden = false; });
    });
  }
  function localLink(url) {
    var u = safeUrl(url, false);
    return u && !/^mailto:/i.test(u) ? u : null;
  }
  /**
   * The learner's home needs a session of its own, which a single-use code starts; the
   * launch token never goes into a URL. The window opens on the click itself (a window
   * opened after an await is a popup that browsers block) and is sent to the code's URL
   * once the server answers: a new window, because inside an LMS frame the home's cookie
   * would be a third-party one.
   */
  function openHome(ev, handoff) {
    ev.preventDefault();
    var w = window.open('', '_blank');
    fetch(handoff, { method: 'POST', headers: { 'Authorization': 'Basic ' + S.token, 'Accept': 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; }).then(function (j) {
        var url = j && localLink(j.url);
        if (!url) throw new Error('no home link');
        if (w) { w.opener = null; w.location.href = url; } else window.location.assign(url);
      }).catch(function () {
        if (w) w.close();
        note('Your learning home could not be opened from here. Open it from your learning portal.');
      });
  }
  /** Belt progress and the next module, from /api/learn/summary; absent endpoint → nothing shown. */
  function showSummary() {
    app('GET', '/api/learn/summary').then(function (r) { return r.ok ? r.json() : null; }).then(function (j) {
      if (!j || typeof j !== 'object') return;
      var box = ui.summary;
      box.textContent = '';
      if (Array.isArray(j.belts) && j.belts.length) {
        var sec = box.appendChild(make('section', { 'class': 'bb-belts', 'aria-labelledby': 'bb-belts-h' }));
        sec.appendChild(make('h3', { id: 'bb-belts-h' }, 'Belt progress'));
        var ul = sec.appendChild(make('ul'));
        j.belts.forEach(function (b) {
          var li = ul.appendChild(make('li'));
          var sw = li.appendChild(make('span', { 'class': 'bb-swatch', 'aria-hidden': 'true' }));
          if (/^#[0-9a-f]{6}$/i.test(b.colour || '')) sw.style.backgroundColor = b.colour;
          li.appendChild(document.createTextNode(clean(b.name) + ': ' + clean(String(b.state || '')).replace(/_/g, ' ')));
        });
        var n = j.next;
        if (n && n.belt) {
          sec.appendChild(make('p', {}, 'Next: ' + clean(n.belt.name) + ', ' + (n.met | 0) + ' of ' + (n.total | 0) + ' requirements met.'));
          if (Array.isArray(n.open) && n.open.length) {
            sec.appendChild(make('p', {}, 'Still to do:'));
            var todo = sec.appendChild(make('ul'));
            n.open.forEach(function (t) { todo.appendChild(make('li', {}, clean(t))); });
          }
        }
      }
      var links = [];
      if (j.next_module && localLink(j.next_module.url)) {
        var a = make('a', { href: localLink(j.next_module.url), 'class': 'bb-next-module' }, 'Next module: ' + clean(j.next_module.title));
        links.push(a);
      }
      if (localLink(j.home)) links.push(make('a', { href: localLink(j.home) }, 'Your learning home'));
      var handoff = localLink(j.handoff);
      if (handoff) links.forEach(function (l) { l.addEventListener('click', function (ev) { openHome(ev, handoff); }); });
      if (links.length) {
        var p = box.appendChild(make('p', { 'class': 'bb-links' }));
        links.forEach(function (l, k) { if (k) p.appendChild(document.createTextNode(' · ')); p.appendChild(l); });
      }
    }).catch(function () {});
  }

  /* ---------- anonymous survey ---------- */
  function surveyValue(q, a) {
    if (Array.isArray(a)) return a.slice();
    return String(a);
  }
  function submitAnonymous(its) {
    var answers = {};
    its.forEach(function (it) { var a = it.q.read(); if (a != null && !a.partial) answers[it.id] = surveyValue(it.q, a); });
    if (S.mode === 'Preview' || !S.ready || S.failedStart || S.mode !== 'Normal') { finish(its, true); return; }
    S.submitting = true;
    note('Sending your answers…');
    app('POST', '/api/survey/responses', { activityId: S.pub || S.aid, answers: answers }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) { return { status: r.status, body: j || {} }; });
    }).then(function (r) {
      S.submitting = false;
      if (r.status >= 200 && r.status < 300) { finish(its, true); return; }
      if (r.status === 409) {
        lockAll();
        lrs('DELETE', stateUrl(ATTEMPT_ID), undefined, true).catch(function () {});
        setBody(ui.result, ['You have already answered this survey. Thank you: your earlier answers stand.'], [button('Exit module', 'bb-primary', exit)]);
        note('You have already answered this survey.');
        showPanel(ui.result);
        return;
      }
      note('');
      showError('Your answers could not be sent (' + (r.body.message || 'status ' + r.status) + '). Please try submitting again.', 'refused');
    }).catch(function () {
      S.submitting = false;
      note('');
      showError('We cannot reach the server right now, so your answers are not sent yet. Check your connection and submit again.', 'refused');
    });
  }

  /* ---------- exit ---------- */
  function askExit() {
    if (S.exiting) return;
    if (S.submitted || S.mode === 'Preview' || !launched()) { exit(); return; }
    ui.confirmText.textContent = 'Leave the module now? Your answers so far are kept, and when you launch the module again you carry on where you left off.';
    ui.confirm.hidden = false;
    ui.confirmText.focus();
  }
  function showDone(text) {
    S.exiting = true;
    ui.exit.hidden = true;
    ui.confirm.hidden = true;
    ui.meter.hidden = true; // the session is over: no progress left to show
    setBody(ui.done, [text || 'Your session has ended. You can now close this window or tab.']);
    showPanel(ui.done);
  }
  function exit() {
    if (S.exiting) return;
    S.exiting = true;
    ui.confirm.hidden = true;
    if (!S.ready || S.halted) { showDone(); return; }
    var saving = saveAttempt(true);
    record('terminated', { cats: ['cmi5'], result: { duration: elapsed() } });
    S.terminated = true;
    saveSession({ term: true });
    ui.exit.disabled = true;
    note('Saving your progress before leaving…');
    Promise.all([drained(), saving]).then(function () {
      note('');
      if (S.launch.returnURL) window.location.assign(S.launch.returnURL);
      else showDone();
    });
  }

  /* ---------- launch ---------- */
  function setupPage() {
    setupChrome();
    all('.bb-tabs', main).forEach(setupTabs);
    all('.bb-flip', main).forEach(setupFlip);
    pools = all('[data-bb-pool]', main);
    all('fieldset[data-bb-question]', main).forEach(setupQuestion);
    all('[data-bb-scenario]', main).forEach(setupScenario);
    applyAttempt(newAttempt()); // shown at once; a saved attempt replaces it when it arrives
  }
  function init() {
    main = document.querySelector('main[data-bb-au]');
    if (!main) return;
    setupPage();
    var q = new URLSearchParams(window.location.search);
    S.endpoint = q.get('endpoint'); S.fetchUrl = q.get('fetch');
    S.reg = q.get('registration'); S.aid = q.get('activityId');
    try { S.actor = JSON.parse(q.get('actor')); } catch (e) { S.actor = null; }
    if (!S.endpoint || !S.fetchUrl || !S.actor || !S.reg || !S.aid) {
      S.mode = 'Preview';
      note('Preview: this page was not launched from the learning portal, so nothing you do here is recorded.');
      return;
    }
    S.endpoint = S.endpoint.replace(/\/*$/, '/');
    S.sess = loadSession();
    if (S.sess.term) { S.terminated = true; showDone('This session has already ended. To continue, launch the module again from your learning portal.'); return; }
    if (S.sess.start) S.start = S.sess.start; else saveSession({ start: S.start });
    getToken().then(function (t) {
      S.token = t;
      // cmi5 11.0: the AU reads the learner preferences on startup, before its statements.
      var prefs = lrs('GET', 'agents/profile?' + new URLSearchParams({ profileId: 'cmi5LearnerPreferences',
        agent: JSON.stringify(S.actor) }).toString()).then(function (r) {
        return r.ok ? r.json().catch(function () { return null; }) : null;
      }).catch(function () { return null; });
      return Promise.all([getState('LMS.LaunchData'), getState(STATUS_ID).catch(function () { return null; }),
        getState(ATTEMPT_ID).catch(function () { return null; }), prefs]);
    }).then(function (r) {
      if (!r[0]) throw new Error('The launch information for this module is missing.');
      S.launch = r[0]; S.prior = r[1] || {};
      // activityId is the LMS's own id for this AU (cmi5 8.1.5); the publisher's id from
      // cmi5.xml is the grouping activity of the contextTemplate (cmi5 9.6.2.3). Question
      // activities hang off the publisher's id, so they are the same on every LMS.
      var ct = S.launch.contextTemplate || {}, grp = (ct.contextActivities || {}).grouping || [];
      S.pub = (grp[0] && grp[0].id) || S.aid;
      S.mode = S.launch.launchMode || 'Normal';
      if (S.mode !== 'Normal') {
        note('You opened this module in ' + S.mode.toLowerCase() + ' mode: explore freely, nothing here counts towards your certification.');
      }
      if (!S.sess.init) {
        S.queue.unshift({ id: uuid(), ts: new Date(S.start).toISOString(), verb: 'initialized', cats: ['cmi5'] });
        saveSession({ init: true });
      }
      S.ready = true;
      var resumed = r[2] && !S.submitted && applyAttempt(r[2]);
      if (resumed && (S.page > 0 || Object.keys(r[2].answers || {}).length)) {
        note('Welcome back: you are where you left off, with your answers so far.');
      }
      S.resumed = !!resumed;
      if (!resumed) saveAttempt(); // the draw is fixed from the first launch on
      loadVars();
      pump();
    }).catch(function (e) {
      S.failedStart = true; S.queue = [];
      showError('We could not connect to the learning system, so this visit will not be recorded. ' + (e && e.message ? e.message + ' ' : '') +
        'You can still read the module; to get credit, close this window and launch it again from your learning portal.', 'fatal');
    });
  }

  window.addEventListener('pagehide', function () {
    if (!S.ready || S.halted) return;
    if (canStoreAttempt()) saveAttempt(true);
    if (!S.terminated) {
      S.queue.push({ id: uuid(), ts: new Date().toISOString(), verb: 'terminated', cats: ['cmi5'], result: { duration: elapsed() } });
      S.terminated = true;
      saveSession({ term: true });
    }
    flushOnHide();
  });
  window.addEventListener('pageshow', function (e) { if (e.persisted && S.terminated) showDone(); });
  window.addEventListener('online', function () { clearTimeout(S.timer); pump(); });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init); else init();

  window.BlackBeltAU = { duration: duration, uuid: uuid, state: S }; // exposed for diagnostics and tests
})();
