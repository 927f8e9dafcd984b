/*
 * Black Belt AU runtime: turns a semantic HTML page into a paged cmi5 assignable unit.
 * cmi5 (AICC CMI-5, sections 8-10), xAPI 1.0.3. Vanilla ES2018, no dependencies, no build step.
 * Markup contract and statement sequence: packages/README.md.
 */
(function () {
  'use strict';
  var VERB = 'http://adlnet.gov/expapi/verbs/';
  var CAT = 'https://w3id.org/xapi/cmi5/context/categories/';
  var EXT_PROGRESS = 'https://w3id.org/xapi/cmi5/result/extensions/progress';
  var EXT_MASTERY = 'https://w3id.org/xapi/cmi5/context/extensions/masteryscore';
  var STATUS_ID = 'https://blackbelt.example/xapi/state/au-status'; // AU-owned: what this registration already earned
  var LANG = 'en-US';
  var S = { queue: [], waiters: [], sending: false, delay: 0, timer: 0, ready: false, halted: false,
    mode: 'Normal', launch: {}, prior: {}, answers: {}, page: 0, furthest: 0, submitted: false,
    terminated: false, exiting: false, start: Date.now(), sess: {} };
  var ui = {}, pages = [], questions = [], main = null;

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

  /* ---------- LRS access ---------- */
  function lrs(method, path, body, keepalive) {
    var opt = { method: method, keepalive: !!keepalive,
      headers: { 'Authorization': 'Basic ' + S.token, 'X-Experience-API-Version': '1.0.3' } };
    if (body !== undefined) { opt.body = JSON.stringify(body); opt.headers['Content-Type'] = 'application/json'; }
    return fetch(S.endpoint + path, opt);
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

  /* ---------- statements ---------- */
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
        return;
      } else if (r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429) {
        S.queue.shift();
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

  /* ---------- UI ---------- */
  function button(text, cls, onClick) {
    var b = make('button', { type: 'button', 'class': 'bb-btn' + (cls ? ' ' + cls : '') }, text);
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
  function setupUI() {
    document.documentElement.classList.add('bb-js');
    pages = all('section[data-bb-page]', main);
    ui.bar = make('div', { 'class': 'bb-bar' });
    ui.count = ui.bar.appendChild(make('p', { 'class': 'bb-count' }));
    ui.meter = ui.bar.appendChild(make('progress', { max: String(pages.length || 1), value: '1', 'aria-hidden': 'true' }));
    ui.exit = ui.bar.appendChild(button('Exit module', 'bb-quiet', exit));
    ui.alert = make('div', { role: 'alert', 'class': 'bb-alert' });
    ui.alertText = ui.alert.appendChild(make('p'));
    ui.retry = ui.alert.appendChild(button('Try again now', '', function () { clearTimeout(S.timer); pump(); }));
    ui.note = make('p', { role: 'status', 'class': 'bb-note' });
    ui.alert.hidden = true; ui.note.hidden = true;
    var first = pages[0] || null;
    [ui.bar, ui.alert, ui.note].forEach(function (n) { main.insertBefore(n, first); });
    ui.nav = make('nav', { 'class': 'bb-nav', 'aria-label': 'Module pages' });
    ui.prev = ui.nav.appendChild(button('Previous', '', function () { goTo(S.page - 1); }));
    ui.next = ui.nav.appendChild(button('Next', 'bb-primary', function () {
      if (S.page < pages.length - 1) goTo(S.page + 1); else if (S.submitted) showPanel(ui.result); else submit();
    }));
    main.appendChild(ui.nav);
    ui.result = panel('bb-result', 'Your result');
    ui.done = panel('bb-done', 'Session finished');
    pages.forEach(function (p) { var h = p.querySelector('h2, h1, h3'); if (h) h.setAttribute('tabindex', '-1'); });
    all('fieldset[data-bb-question]', main).forEach(setupQuestion);
    goTo(0, true);
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
      : questions.some(function (q) { return q.scored; }) ? 'Submit answers' : 'Finish';
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
  }
  function showPanel(p) {
    pages.forEach(function (pg) { pg.hidden = true; });
    ui.result.hidden = p !== ui.result; ui.done.hidden = p !== ui.done; ui.nav.hidden = true;
    ui.count.textContent = p === ui.result ? 'Result' : 'Finished';
    p.querySelector('h2').focus();
  }
  function setBody(p, paragraphs, buttons) {
    p.body.textContent = '';
    paragraphs.forEach(function (t) { if (t) p.body.appendChild(make('p', {}, t)); });
    var row = p.body.appendChild(make('div', { 'class': 'bb-actions' }));
    (buttons || []).forEach(function (b) { row.appendChild(b); });
  }

  /* ---------- questions ---------- */
  function labelText(input) {
    var l = (input.labels && input.labels[0]) || input.closest('label');
    return l ? clean(l.textContent) : input.value;
  }
  function setupQuestion(fs) {
    var q = { id: fs.getAttribute('data-bb-question'), type: fs.getAttribute('data-type') || 'choice',
      correct: fs.getAttribute('data-correct'), fs: fs, inputs: all('input[type="radio"]', fs) };
    q.scored = fs.getAttribute('data-scored') !== 'false' && !!q.correct;
    q.page = Math.max(0, pages.findIndex(function (p) { return p.contains(fs); }));
    q.inputs.forEach(function (i) {
      if (!((i.labels && i.labels.length) || i.closest('label')) && window.console) console.warn('Black Belt: unlabelled option in', q.id);
    });
    var box = make('div', { 'class': 'bb-feedback', 'aria-live': 'polite' });
    q.verdict = box.appendChild(make('p', { 'class': 'bb-verdict' }));
    all('[data-feedback-for]', fs).forEach(function (p) { p.hidden = true; box.appendChild(p); });
    q.btn = fs.appendChild(button(q.scored ? 'Check answer' : 'Save response', '', function () { answer(q); }));
    fs.appendChild(box);
    questions.push(q);
  }
  function answer(q, silent) {
    if (S.answers[q.id]) return true;
    var pick = q.inputs.filter(function (i) { return i.checked; })[0];
    if (!pick) {
      q.verdict.textContent = 'Please choose an answer first.';
      if (!silent && q.inputs[0]) q.inputs[0].focus();
      return false;
    }
    var ok = q.scored ? pick.value === q.correct : undefined;
    S.answers[q.id] = { response: pick.value, success: ok };
    q.inputs.forEach(function (i) { i.disabled = true; });
    var chosen = (pick.labels && pick.labels[0]) || pick.closest('label');
    if (chosen) chosen.classList.add('bb-chosen');
    q.btn.setAttribute('aria-disabled', 'true');
    q.btn.textContent = q.scored ? 'Answer checked' : 'Response saved';
    q.fs.classList.add(q.scored ? (ok ? 'bb-right' : 'bb-wrong') : 'bb-saved');
    var right = q.inputs.filter(function (i) { return i.value === q.correct; })[0];
    q.verdict.textContent = !q.scored ? 'Thank you, your response is saved.' : ok ? 'Correct.'
      : 'Not quite. The best answer is: ' + (right ? labelText(right) : q.correct) + '.';
    all('[data-feedback-for]', q.fs).forEach(function (p) { p.hidden = p.getAttribute('data-feedback-for') !== pick.value; });
    var comps = q.inputs.map(function (i) { return { id: i.value, description: langMap(labelText(i)) }; });
    var legend = q.fs.querySelector('legend');
    var def = { type: 'http://adlnet.gov/expapi/activities/cmi.interaction',
      name: langMap(legend ? legend.textContent : q.id), interactionType: q.type };
    if (q.type === 'choice') def.choices = comps;
    if (q.type === 'likert') def.scale = comps;
    if (q.scored) def.correctResponsesPattern = [q.correct];
    var result = { response: pick.value };
    if (q.scored) result.success = ok;
    record('answered', { object: (S.pub || S.aid) + '/question/' + q.id, def: def, result: result, parent: true });
    return true;
  }

  /* ---------- finishing ---------- */
  function mastery() {
    var m = S.launch.masteryScore;
    if (m !== undefined && m !== null && !isNaN(parseFloat(m))) return { value: parseFloat(m), fromLaunch: true };
    var a = parseFloat(main.getAttribute('data-mastery'));
    return { value: isNaN(a) ? 0.8 : a, fromLaunch: false };
  }
  function submit() {
    if (!S.ready && !S.failedStart && S.mode !== 'Preview') {
      note('Still connecting to the learning system. Please try again in a moment.');
      return;
    }
    questions.forEach(function (q) { // save answers that were picked but not yet checked
      if (!S.answers[q.id] && q.inputs.some(function (i) { return i.checked; })) answer(q, true);
    });
    var open = questions.filter(function (q) { return q.scored && !S.answers[q.id]; });
    if (open.length) {
      note(open.length === 1 ? 'One question still needs an answer before you can submit.'
        : open.length + ' questions still need an answer before you can submit.');
      open[0].verdict.textContent = 'This question still needs an answer.';
      goTo(open[0].page, true);
      if (open[0].inputs[0]) open[0].inputs[0].focus();
      return;
    }
    note('');
    S.submitted = true;
    var scored = questions.filter(function (q) { return q.scored; });
    var res = { scored: scored.length > 0, total: scored.length,
      right: scored.filter(function (q) { return S.answers[q.id].success; }).length, mastery: mastery() };
    if (res.scored) {
      res.scaled = Math.round((res.right / res.total) * 100) / 100;
      res.pass = res.scaled >= res.mastery.value;
    }
    var normal = S.mode === 'Normal' && S.ready;
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
      var status = { completed: true, passed: !!(S.prior.passed || res.pass) };
      // keepalive: the learner may exit right after submitting; the save must outlive the page.
      drained().then(function () { return lrs('PUT', stateUrl(STATUS_ID), status, true); }).catch(function () {});
    }
    var lines = [];
    if (res.scored) {
      lines.push('You answered ' + res.right + ' of ' + res.total + ' questions correctly (' + Math.round(res.scaled * 100) +
        '%). The pass mark is ' + Math.round(res.mastery.value * 100) + '%.');
      lines.push(res.pass ? 'Well done: you have reached the pass mark for this module.'
        : 'You have not reached the pass mark this time. Review the pages, then launch the module again from your learning portal to retake the check.');
      if (normal && S.prior.passed) lines.push('You had already passed this module in this enrolment, so this attempt counts as practice.');
    } else {
      lines.push('Thank you for completing this module.');
    }
    lines.push(normal ? 'Your ' + (res.scored ? 'result is' : 'responses are') + ' being saved to your learning record. Choose "Exit module" when you are ready.'
      : S.mode === 'Normal' ? 'This was not recorded because the connection to the learning system failed. Launch the module again from your learning portal to get credit.'
        : 'This module was opened in ' + S.mode.toLowerCase() + ' mode, so nothing counts towards your certification.');
    setBody(ui.result, lines, [button('Review pages', '', function () { goTo(0); }), button('Exit module', 'bb-primary', exit)]);
    showPanel(ui.result);
  }
  function showDone(text) {
    S.exiting = true;
    ui.exit.hidden = true;
    setBody(ui.done, [text || 'Your session has ended. You can now close this window or tab.']);
    showPanel(ui.done);
  }
  function exit() {
    if (S.exiting) return;
    S.exiting = true;
    if (!S.ready || S.halted) { showDone(); return; }
    record('terminated', { cats: ['cmi5'], result: { duration: elapsed() } });
    S.terminated = true;
    saveSession({ term: true });
    ui.exit.disabled = true;
    note('Saving your progress before leaving...');
    drained().then(function () {
      note('');
      if (S.launch.returnURL) window.location.assign(S.launch.returnURL);
      else showDone();
    });
  }

  /* ---------- launch ---------- */
  function init() {
    main = document.querySelector('main[data-bb-au]');
    if (!main) return;
    setupUI();
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
      return Promise.all([getState('LMS.LaunchData'), getState(STATUS_ID).catch(function () { return null; }), prefs]);
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
      pump();
    }).catch(function (e) {
      S.failedStart = true; S.queue = [];
      showError('We could not connect to the learning system, so this visit will not be recorded. ' + (e && e.message ? e.message + ' ' : '') +
        'You can still read the module; to get credit, close this window and launch it again from your learning portal.', 'fatal');
    });
  }

  window.addEventListener('pagehide', function () {
    if (!S.ready || S.halted) return;
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
