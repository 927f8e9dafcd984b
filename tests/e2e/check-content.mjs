#!/usr/bin/env node
// Static content checker for scored AUs (no browser, no dependencies):
//
//   node tests/e2e/check-content.mjs [DIR...]      (default: packages)
//
// For every DIR/*/*.html AU page that has a scored item it checks the assessment rules of
// issue 20 (packages/README.md, "Assessments"):
//   - each pool holds at least 2 × data-draw questions;
//   - one attempt asks 5–8 scored items (draws + scored questions outside pools + scenarios);
//   - every option input is labelled; every scored question's data-correct names existing
//     values (choice: radios one value, checkboxes a comma list; true-false true/false;
//     sequencing a full order of the items; matching one target per source);
//   - in single-choice questions the correct option is strictly the longest (characters of
//     its label) in at most 25 % of them;
//   - true-false is at most 20 % of the scored questions, and both answers are used when
//     there are two or more;
//   - exactly one scenario: every step reachable from the first, every option leads to a
//     step or an ending, no loops (so every path ends), at least one ending data-outcome="best";
//   - the phrase "source material" appears nowhere in the page.
// Exits 1 with one line per problem, naming the file and the question.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isScored, itemsPerAttempt, readAu } from './au-model.mjs';

const LONGEST_MAX = 0.25;
const TRUE_FALSE_MAX = 0.2;

function auFiles(dirs) {
  const out = [];
  for (const dir of dirs) {
    for (const course of readdirSync(dir).sort()) {
      const cdir = join(dir, course);
      if (course.startsWith('_') || !statSync(cdir).isDirectory()) continue;
      for (const f of readdirSync(cdir).sort()) if (f.endsWith('.html')) out.push(join(cdir, f));
    }
  }
  return out;
}

const splitList = (s) => String(s || '').split(',').map((v) => v.trim()).filter(Boolean);

/** Problems with one question's markup and answer key. */
function checkQuestion(q, say) {
  const where = `question ${q.id} (line ${q.line})`;
  if (!q.id) say(`a question at line ${q.line} has an empty data-bb-question`);
  for (const o of q.options) if (!o.label) say(`${where}: option value="${o.value}" has no label text`);
  if (!q.scored) return;
  const values = q.options.map((o) => o.value);
  if (q.type === 'choice') {
    const want = splitList(q.correct);
    const missing = want.filter((v) => !values.includes(v));
    if (missing.length) say(`${where}: data-correct names ${missing.join(', ')}, not among the options (${values.join(', ')})`);
    if (!q.multi && want.length !== 1) say(`${where}: single-choice (radios) needs exactly one data-correct value, saw "${q.correct}"`);
    if (q.multi && q.options.some((o) => o.type !== 'checkbox')) say(`${where}: mixes checkboxes and radios`);
    if (q.options.length < 3) say(`${where}: a choice question needs at least 3 options, has ${q.options.length}`);
    if (new Set(values).size !== values.length) say(`${where}: option values repeat`);
  } else if (q.type === 'true-false') {
    const ok = values.length === 2 && values.includes('true') && values.includes('false');
    if (!ok) say(`${where}: true-false needs exactly the values true and false, saw ${values.join(', ')}`);
    if (q.correct !== 'true' && q.correct !== 'false') say(`${where}: true-false data-correct must be true or false, saw "${q.correct}"`);
  } else if (q.type === 'sequencing') {
    const items = (q.items || []).map((i) => i.value);
    const want = splitList(q.correct);
    if (items.length < 3) say(`${where}: sequencing needs an ol[data-bb-items] with at least 3 li[data-value], has ${items.length}`);
    if (want.length !== items.length || want.some((v) => !items.includes(v)) || new Set(want).size !== want.length) {
      say(`${where}: data-correct "${q.correct}" must list every item value once (${items.join(', ')})`);
    }
    (q.items || []).forEach((i) => { if (!i.label) say(`${where}: item ${i.value} has no text`); });
  } else if (q.type === 'matching') {
    const src = (q.sources || []).map((s) => s.value);
    const tgt = (q.targets || []).map((t) => t.value);
    if (src.length < 2) say(`${where}: matching needs ul[data-bb-sources] with at least 2 li[data-value]`);
    if (tgt.length < src.length) say(`${where}: matching needs at least as many targets as sources`);
    const pairs = splitList(q.correct).map((p) => p.split('.'));
    const bad = pairs.filter((p) => p.length !== 2 || !src.includes(p[0]) || !tgt.includes(p[1]));
    if (bad.length) say(`${where}: data-correct pairs ${bad.map((p) => p.join('.')).join(', ')} name no source.target`);
    const covered = pairs.map((p) => p[0]);
    if (covered.length !== src.length || src.some((s) => !covered.includes(s))) say(`${where}: data-correct must pair every source exactly once (${src.join(', ')})`);
    [...(q.sources || []), ...(q.targets || [])].forEach((i) => { if (!i.label) say(`${where}: matching item ${i.value} has no text`); });
  } else {
    say(`${where}: data-type "${q.type}" cannot be scored (choice, true-false, sequencing, matching)`);
  }
}

function checkScenario(s, say) {
  const where = `scenario ${s.id} (line ${s.line})`;
  if (!s.steps.length) { say(`${where}: has no fieldset[data-bb-step]`); return; }
  const steps = new Map(s.steps.map((st) => [st.id, st]));
  const endings = new Map(s.endings.map((e) => [e.id, e]));
  if (!s.endings.some((e) => e.best)) say(`${where}: no ending has data-outcome="best"`);
  if (s.steps.length < 2 || s.steps.length > 4) say(`${where}: ${s.steps.length} decision points (want 2–4)`);
  if (s.endings.length < 3) say(`${where}: ${s.endings.length} endings (want 3–4)`);
  for (const st of s.steps) {
    const sw = `${where} step ${st.id}`;
    if (st.options.length < 2) say(`${sw}: needs at least 2 options`);
    for (const o of st.options) {
      if (!o.label) say(`${sw}: option value="${o.value}" has no label text`);
      if (!o.next) say(`${sw}: option ${o.value} has no data-next`);
      else if (!steps.has(o.next) && !endings.has(o.next)) say(`${sw}: option ${o.value} data-next="${o.next}" names no step or ending`);
    }
    if (st.correct && !st.options.some((o) => o.value === st.correct)) say(`${sw}: data-correct "${st.correct}" is not an option`);
  }
  // Reachability from the first step, and no loop on any path (so every path ends).
  const reached = new Set();
  const visit = (id, path) => {
    if (path.includes(id)) { say(`${where}: loop ${[...path, id].join(' → ')} (a path must end in an ending)`); return; }
    reached.add(id);
    const st = steps.get(id);
    if (!st) return;
    for (const o of st.options) if (o.next && (steps.has(o.next) || endings.has(o.next))) visit(o.next, [...path, id]);
  };
  visit(s.steps[0].id, []);
  for (const st of s.steps) if (!reached.has(st.id)) say(`${where}: step ${st.id} cannot be reached from the first step`);
  for (const e of s.endings) if (!reached.has(e.id)) say(`${where}: ending ${e.id} cannot be reached`);
}

export function checkAu(au, say) {
  for (const p of au.pools) {
    const where = `pool ${p.id} (line ${p.line})`;
    if (!Number.isInteger(p.draw) || p.draw < 1) say(`${where}: data-draw "${p.drawAttr}" must be an integer ≥ 1`);
    if (p.questions.length < 2 * p.draw) say(`${where}: ${p.questions.length} questions for data-draw=${p.draw}; a pool needs at least ${2 * p.draw}`);
    if (p.questions.some((q) => !q.scored)) say(`${where}: holds unscored questions (${p.questions.filter((q) => !q.scored).map((q) => q.id).join(', ')})`);
  }
  if (!au.pools.length) say('no question pool (data-bb-pool): a retake would ask the same questions');
  const ids = au.pools.map((p) => p.id);
  if (new Set(ids).size !== ids.length) say(`pool ids repeat: ${ids.join(', ')}`);
  const qids = au.questions.map((q) => q.id);
  const dup = qids.filter((id, i) => qids.indexOf(id) !== i);
  if (dup.length) say(`question ids repeat: ${[...new Set(dup)].join(', ')}`);

  const n = itemsPerAttempt(au);
  if (n < 5 || n > 8) say(`one attempt asks ${n} scored items (pool draws + questions outside pools + scenarios); want 5–8`);

  au.questions.forEach((q) => checkQuestion(q, say));

  const scored = au.questions.filter((q) => q.scored);
  const single = scored.filter((q) => q.type === 'choice' && !q.multi);
  const longest = single.filter((q) => {
    const right = q.options.find((o) => o.value === q.correct);
    return right && q.options.every((o) => o === right || o.label.length < right.label.length);
  });
  if (single.length && longest.length / single.length > LONGEST_MAX) {
    say(`the correct option is strictly the longest in ${longest.length} of ${single.length} single-choice questions `
      + `(${Math.round((100 * longest.length) / single.length)} %, max ${LONGEST_MAX * 100} %): ${longest.map((q) => q.id).join(', ')}`);
  }
  const tf = scored.filter((q) => q.type === 'true-false');
  if (scored.length && tf.length / scored.length > TRUE_FALSE_MAX) {
    say(`${tf.length} of ${scored.length} scored questions are true-false (max ${TRUE_FALSE_MAX * 100} %): ${tf.map((q) => q.id).join(', ')}`);
  }
  if (tf.length >= 2 && !(tf.some((q) => q.correct === 'true') && tf.some((q) => q.correct === 'false'))) {
    say(`all ${tf.length} true-false questions have the answer "${tf[0].correct}"; use both answers (${tf.map((q) => q.id).join(', ')})`);
  }

  const scen = au.scenarios.filter((s) => s.scored);
  if (scen.length !== 1) say(`${scen.length} scored scenarios (data-bb-scenario); a scored AU has exactly one`);
  au.scenarios.forEach((s) => checkScenario(s, say));
  if (/source material/i.test(au.rawText)) say('the phrase "source material" appears in the page');
}

function main() {
  const dirs = process.argv.slice(2).length ? process.argv.slice(2) : ['packages'];
  const problems = [];
  let checked = 0;
  for (const file of auFiles(dirs)) {
    const au = readAu(readFileSync(file, 'utf8'));
    const name = relative(process.cwd(), file);
    if (!au || !isScored(au)) {
      if (au && /source material/i.test(au.rawText)) problems.push(`${name}: the phrase "source material" appears in the page`);
      continue;
    }
    checked++;
    const before = problems.length;
    checkAu(au, (msg) => problems.push(`${name}: ${msg}`));
    console.log(`${problems.length === before ? 'ok  ' : 'FAIL'} ${name}: ${au.questions.length} questions, ${au.pools.length} pools, `
      + `${au.scenarios.length} scenarios, ${itemsPerAttempt(au)} scored items per attempt`);
  }
  if (problems.length) {
    console.error(`\ncheck-content: ${problems.length} problems in ${checked} scored AUs:`);
    problems.forEach((p) => console.error(`  ${p}`));
    process.exitCode = 1;
  } else {
    console.log(`check-content: ${checked} scored AUs, no problems`);
  }
  if (!checked) { console.error('check-content: no scored AU found'); process.exitCode = 1; }
}

// Run when executed; importing this file (for checkAu, in check-content.test.mjs) runs nothing.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
