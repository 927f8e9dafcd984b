// Reads an AU page (markup contract: packages/README.md) into plain data: its pools,
// questions with their options and answers, and its scenarios. Shared by the static
// content checker (check-content.mjs) and the guessing-strategy test (guessing.mjs).

import { parseHtml } from './html-tree.mjs';

const isEl = (tag) => (n) => n.tag === tag;

/** The text a learner reads for an option input: its wrapping label or label[for]. */
function optionLabel(root, input) {
  const wrap = input.closest(isEl('label'));
  if (wrap) return wrap.text();
  const id = input.attr('id');
  const forLabel = id ? root.find((n) => n.tag === 'label' && n.attr('for') === id) : null;
  return forLabel ? forLabel.text() : '';
}

function options(root, fs) {
  return fs.findAll((n) => n.tag === 'input' && (n.attr('type') === 'radio' || n.attr('type') === 'checkbox'))
    .map((i) => ({ value: i.attr('value') ?? '', label: optionLabel(root, i), type: i.attr('type'), next: i.attr('data-next') }));
}

function question(root, fs) {
  const type = fs.attr('data-type') || 'choice';
  const correct = fs.attr('data-correct');
  const opts = options(root, fs);
  const q = {
    id: fs.attr('data-bb-question'),
    line: fs.line,
    type,
    correct,
    scored: fs.attr('data-scored') !== 'false' && correct !== null && correct !== '',
    legend: (fs.find(isEl('legend')) || { text: () => '' }).text(),
    options: opts,
    multi: type === 'choice' && opts.some((o) => o.type === 'checkbox'),
    pool: null,
  };
  if (type === 'sequencing') {
    const ol = fs.find((n) => n.has('data-bb-items'));
    q.items = ol ? ol.findAll(isEl('li')).map((li) => ({ value: li.attr('data-value'), label: li.text() })) : [];
  }
  if (type === 'matching') {
    const src = fs.find((n) => n.has('data-bb-sources'));
    const tgt = fs.find((n) => n.has('data-bb-targets'));
    const items = (ul) => (ul ? ul.findAll(isEl('li')).map((li) => ({ value: li.attr('data-value'), label: li.text() })) : []);
    q.sources = items(src);
    q.targets = items(tgt);
  }
  return q;
}

function scenario(root, div) {
  const steps = div.findAll((n) => n.has('data-bb-step')).map((fs) => ({
    id: fs.attr('data-bb-step'),
    correct: fs.attr('data-correct'),
    line: fs.line,
    options: options(root, fs),
  }));
  const endings = div.findAll((n) => n.has('data-bb-ending')).map((e) => ({ id: e.attr('data-bb-ending'), best: e.attr('data-outcome') === 'best' }));
  return { id: div.attr('data-bb-scenario'), line: div.line, scored: div.attr('data-scored') !== 'false', steps, endings };
}

export function readAu(src) {
  const root = parseHtml(src);
  const main = root.find((n) => n.tag === 'main' && n.has('data-bb-au'));
  if (!main) return null;
  const pools = main.findAll((n) => n.has('data-bb-pool')).map((p) => ({
    id: p.attr('data-bb-pool'),
    line: p.line,
    drawAttr: p.attr('data-draw'),
    draw: Number(p.attr('data-draw') || '1'),
    node: p,
  }));
  const questions = main.findAll((n) => n.tag === 'fieldset' && n.has('data-bb-question')).map((fs) => {
    const q = question(root, fs);
    const pool = fs.closest((n) => n.has('data-bb-pool'));
    q.pool = pool ? pool.attr('data-bb-pool') : null;
    return q;
  });
  pools.forEach((p) => { p.questions = questions.filter((q) => q.pool === p.id); delete p.node; });
  const scenarios = main.findAll((n) => n.has('data-bb-scenario')).map((d) => scenario(root, d));
  return {
    mastery: main.attr('data-mastery') ? Number(main.attr('data-mastery')) : null,
    survey: main.attr('data-bb-survey'),
    pools,
    questions,
    scenarios,
    text: main.text(),
    rawText: root.text(),
  };
}

/** Scored items one attempt asks: the pools' draws, scored questions outside pools, scored scenarios. */
export function itemsPerAttempt(au) {
  const pooled = au.pools.reduce((n, p) => n + p.draw, 0);
  const loose = au.questions.filter((q) => q.scored && !q.pool).length;
  return pooled + loose + au.scenarios.filter((s) => s.scored).length;
}

export function isScored(au) {
  return au.questions.some((q) => q.scored) || au.scenarios.some((s) => s.scored);
}
