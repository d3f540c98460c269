import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NoiseSchedule } from '../../src/models/diffusion';

test('linear schedule: endpoints, spacing and alpha_t = prod (1 - beta_s)', () => {
  const s = NoiseSchedule.linear({ T: 1000, betaStart: 1e-4, betaEnd: 0.02 });
  assert.equal(s.T, 1000);
  assert.equal(s.beta[0], 0);
  assert.equal(s.alpha[0], 1);
  assert.ok(Math.abs(s.beta[1]! - 1e-4) < 1e-15);
  assert.ok(Math.abs(s.beta[1000]! - 0.02) < 1e-15);
  assert.ok(Math.abs(s.beta[2]! - s.beta[1]! - (0.02 - 1e-4) / 999) < 1e-15);
  // Oracle: the product written out, in log space.
  let logProd = 0;
  for (let t = 1; t <= 1000; t++) {
    logProd += Math.log(1 - s.beta[t]!);
    assert.ok(Math.abs(Math.log(s.alpha[t]!) - logProd) < 1e-9, `alpha_${t}`);
  }
  // DDPM's linear schedule ends almost at pure noise: alpha_T ≈ 4e-5.
  assert.ok(s.alpha[1000]! > 3e-5 && s.alpha[1000]! < 5e-5);
});

test('cosine schedule: alpha_t = f(t)/f(0) with f = cos^2(((t/T) + s)/(1 + s) pi/2) where beta is not clipped', () => {
  const T = 200;
  const s = NoiseSchedule.cosine({ T });
  const f = (t: number): number => Math.cos(((t / T + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
  for (const t of [1, 10, 50, 100, 150, 190]) {
    assert.ok(Math.abs(s.alpha[t]! - f(t) / f(0)) < 1e-12, `t = ${t}`);
  }
  assert.ok(s.beta[T]! <= 0.999);
});

test('SNR = alpha / (1 - alpha) falls monotonically; posterior variance lies between 0 and beta_t', () => {
  for (const s of [NoiseSchedule.linear({ T: 100 }), NoiseSchedule.cosine({ T: 100 })]) {
    for (let t = 2; t <= 100; t++) {
      assert.ok(s.snr(t) < s.snr(t - 1), `${s.kind} t = ${t}`);
      const pv = s.posteriorVariance(t);
      assert.ok(pv > 0 && pv < s.beta[t]!);
    }
    assert.equal(s.posteriorVariance(1), 0);
    assert.ok(Math.abs(s.snr(7) - s.alpha[7]! / (1 - s.alpha[7]!)) < 1e-12);
  }
});

test('bad configurations are refused with a message naming the problem', () => {
  assert.throws(() => new NoiseSchedule([0.1, 1.2]), /beta_2 = 1.2/);
  assert.throws(() => NoiseSchedule.linear({ T: 0 }), /T must be a positive integer/);
  assert.throws(() => NoiseSchedule.linear({ T: 10 }).snr(11), /0\.\.10/);
});
