import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, CheckFailedError, CheckSpecError, evaluateCheck, formatCheck } from '../../src/notebook/check';

describe('check()', () => {
  it('passes, with the threshold of the profile', () => {
    check({ metric: 'test_rmse', value: 0.6812, op: '<=', threshold: { quick: 1.2, full: 0.7 }, profile: 'full', why: 'Keras reference BNN: 0.761' });
    const r = evaluateCheck({ metric: 'test_rmse', value: 0.6812, op: '<=', threshold: { quick: 1.2, full: 0.7 }, profile: 'full', why: 'Keras reference BNN: 0.761' });
    assert.equal(r.passed, true);
    assert.equal(r.threshold, 0.7);
    assert.equal(r.profile, 'full');
    assert.equal(formatCheck(r), '✓ test_rmse = 0.6812 <= 0.7 (full)');
  });

  it('uses the quick threshold under the quick profile', () => {
    const spec = { metric: 'test_rmse', value: 0.9, op: '<=' as const, threshold: { quick: 1.2, full: 0.7 }, why: 'w' };
    assert.doesNotThrow(() => check({ ...spec, profile: 'quick' }));
    assert.equal(evaluateCheck({ ...spec, profile: 'quick' }).passed, true);
    assert.throws(() => check({ ...spec, profile: 'full' }), CheckFailedError);
  });

  it('throws CheckFailedError with the numbers in its message and record', () => {
    try {
      check({ metric: 'elbo', value: -130.25, op: '>=', threshold: { full: -110 }, profile: 'full', why: 'paper: -104' });
      assert.fail('should have thrown');
    } catch (e) {
      assert.ok(e instanceof CheckFailedError);
      assert.equal(e.name, 'CheckFailedError');
      assert.match(String(e.stack), /^CheckFailedError: check failed: elbo = -130.3,/);
      assert.match(e.message, /required >= -110 for profile "full" \(paper: -104\)/);
      assert.equal(e.record.passed, false);
      assert.equal(e.record.value, -130.25);
    }
  });

  it("checks 'between' inclusively at both ends", () => {
    const at = (value: number) => evaluateCheck({ metric: 'coverage', value, op: 'between', threshold: { full: [0.9, 0.99] }, profile: 'full', why: 'nominal 95%' });
    assert.equal(at(0.9).passed, true);
    assert.equal(at(0.99).passed, true);
    assert.equal(at(0.95).passed, true);
    assert.equal(at(0.899).passed, false);
    assert.equal(at(0.991).passed, false);
    assert.equal(formatCheck(at(0.95)), '✓ coverage = 0.95 in [0.9, 0.99] (full)');
  });

  it('compares strictly for < and >', () => {
    const e = (op: '<' | '>', value: number) => evaluateCheck({ metric: 'm', value, op, threshold: { full: 1 }, profile: 'full', why: '' }).passed;
    assert.equal(e('<', 1), false);
    assert.equal(e('<', 0.999), true);
    assert.equal(e('>', 1), false);
    assert.equal(e('>', 1.001), true);
  });

  it('fails NaN under every op', () => {
    for (const op of ['<=', '>=', '<', '>'] as const) {
      assert.equal(evaluateCheck({ metric: 'm', value: NaN, op, threshold: { full: 1 }, profile: 'full', why: '' }).passed, false, op);
    }
    assert.equal(evaluateCheck({ metric: 'm', value: NaN, op: 'between', threshold: { full: [0, 1] }, profile: 'full', why: '' }).passed, false);
    assert.throws(() => check({ metric: 'm', value: NaN, op: '<=', threshold: { full: 1 }, profile: 'full', why: '' }), CheckFailedError);
  });

  it('rejects an unknown profile, listing the known ones', () => {
    assert.throws(
      () => check({ metric: 'm', value: 1, op: '<=', threshold: { quick: 2, full: 1 }, profile: 'fast', why: '' }),
      (e: unknown) => e instanceof CheckSpecError && /no threshold for profile "fast" \(known: quick, full\)/.test(e.message),
    );
  });

  it('rejects a malformed interval and a non-number value', () => {
    assert.throws(() => evaluateCheck({ metric: 'm', value: 1, op: 'between', threshold: { full: [2, 1] }, profile: 'full', why: '' }), CheckSpecError);
    assert.throws(
      () => evaluateCheck({ metric: 'm', value: 'x' as unknown as number, op: '<=', threshold: { full: 1 }, profile: 'full', why: '' }),
      /value must be a number/,
    );
  });

  it('prints more digits when four would equal the threshold', () => {
    const r = evaluateCheck({ metric: 'm', value: 0.70004, op: '<=', threshold: { full: 0.7 }, profile: 'full', why: '' });
    assert.equal(formatCheck(r), '✗ m = 0.70004 <= 0.7 (full)');
  });
});
