// Unit tests of the static content checker: the fixture passes, and each rule, broken on
// purpose in a copy of the fixture, is reported.   node --test tests/e2e/check-content.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readAu } from './au-model.mjs';
import { checkAu } from './check-content.mjs';

const FIXTURE = readFileSync(new URL('./fixtures/guess-proof/guess-proof.html', import.meta.url), 'utf8');

function problems(html) {
  const out = [];
  checkAu(readAu(html), (m) => out.push(m));
  return out;
}
function broken(from, to) {
  assert.ok(FIXTURE.includes(from), `fixture lacks ${from}`);
  return problems(FIXTURE.replace(from, to));
}

test('the guess-proof fixture passes every rule', () => {
  assert.deepEqual(problems(FIXTURE), []);
});

test('a pool with fewer than twice its draw is reported', () => {
  const p = broken('data-bb-pool="p1" data-draw="2"', 'data-bb-pool="p1" data-draw="3"');
  assert.ok(p.some((m) => /pool p1 .*4 questions for data-draw=3/.test(m)), p.join('\n'));
});

test('more than 8 scored items per attempt is reported', () => {
  // 7 items per attempt in the fixture; drawing 2 from p5 (5 questions) and 2 from p2 (2) makes 9.
  const p = problems(FIXTURE.replace('data-bb-pool="p5" data-draw="1"', 'data-bb-pool="p5" data-draw="2"')
    .replace('data-bb-pool="p2" data-draw="1"', 'data-bb-pool="p2" data-draw="2"'));
  assert.ok(p.some((m) => /asks 9 scored items/.test(m)), p.join('\n'));
  assert.ok(p.some((m) => /pool p2 .*2 questions for data-draw=2/.test(m)), p.join('\n'));
});

test('data-correct naming no option is reported with the question id', () => {
  const p = broken('data-bb-question="q1b" data-type="choice" data-correct="a"', 'data-bb-question="q1b" data-type="choice" data-correct="e"');
  assert.ok(p.some((m) => /question q1b .*names e/.test(m)), p.join('\n'));
});

test('an unlabelled option is reported', () => {
  const p = broken('<span>Staff trained and approved to do so</span>', '');
  assert.ok(p.some((m) => /question q1b .*option value="a" has no label/.test(m)), p.join('\n'));
});

test('the correct option being the longest too often is reported', () => {
  const p = broken('<span>Say you cannot discuss unreleased plans</span>', '<span>Say politely that you cannot discuss unreleased plans or dates at all</span>');
  const q = problems(FIXTURE
    .replace('<span>Say you cannot discuss unreleased plans</span>', '<span>Say politely that you cannot discuss unreleased plans or dates at all</span>')
    .replace('<span>Staff trained and approved to do so</span>', '<span>Staff who are trained and formally approved to speak for it</span>'));
  assert.ok(!p.some((m) => /strictly the longest/.test(m)), 'one longest of seven is allowed');
  assert.ok(q.some((m) => /strictly the longest in 2 of 7/.test(m)), q.join('\n'));
});

test('true-false questions that all share one answer are reported', () => {
  const p = broken('data-bb-question="q5a" data-type="true-false" data-correct="true"', 'data-bb-question="q5a" data-type="true-false" data-correct="false"');
  assert.ok(p.some((m) => /true-false questions have the answer "false"/.test(m)), p.join('\n'));
});

test('a scenario step that cannot be reached, a loop and no best ending are reported', () => {
  assert.ok(broken('value="a" data-next="escalated"', 'value="a" data-next="end-poor"').some((m) => /step escalated cannot be reached/.test(m)));
  assert.ok(broken('value="b" data-next="end-ok"> <span>Stop and report it', 'value="b" data-next="start"> <span>Stop and report it').some((m) => /loop/.test(m)));
  assert.ok(broken('data-outcome="best"', '').some((m) => /no ending has data-outcome="best"/.test(m)));
  assert.ok(broken('data-next="end-good"', 'data-next="end-nowhere"').some((m) => /names no step or ending/.test(m)));
});

test('the phrase "source material" is reported', () => {
  const p = broken('<p>Good posts are useful', '<p>Our source material says good posts are useful');
  assert.ok(p.some((m) => /source material/.test(m)), p.join('\n'));
});
