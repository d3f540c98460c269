import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalCdf, normalLogPdf, normalPdf, normalQuantile } from '../../src/math';

test('Φ⁻¹ against reference values (R: qnorm) in both tails and the middle; Φ(Φ⁻¹(p)) = p', () => {
  // Reference quantiles (R: qnorm).
  const ref: [number, number][] = [
    [0.5, 0],
    [0.975, 1.959963984540054],
    [0.001, -3.090232306167813],
    [0.2, -0.8416212335729143],
    [1e-10, -6.361340902404056],
  ];
  for (const [p, q] of ref) assert.ok(Math.abs(normalQuantile(p) - q) < 1e-8 * Math.max(1, Math.abs(q)), `Φ⁻¹(${p}) = ${normalQuantile(p)} vs ${q}`);
  for (const x of [-3, -1, 0, 0.5, 2.5]) assert.ok(Math.abs(normalCdf(normalQuantile(normalCdf(x))) - normalCdf(x)) < 1e-7);
  assert.throws(() => normalQuantile(1), /p must be in \(0, 1\)/);
  // Odd symmetry Φ⁻¹(1 - p) = -Φ⁻¹(p), exact in the tails by construction.
  for (const p of [1e-6, 0.01, 0.3]) assert.ok(Math.abs(normalQuantile(1 - p) + normalQuantile(p)) < 1e-8);
});

test('Φ against reference values (R: pnorm) and the density against the closed form', () => {
  const ref: [number, number][] = [
    [0, 0.5],
    [1.959963984540054, 0.975],
    [-1, 0.15865525393145705],
    [3, 0.9986501019683699],
  ];
  for (const [x, p] of ref) assert.ok(Math.abs(normalCdf(x) - p) < 1.2e-7 * p, `Φ(${x}) = ${normalCdf(x)} vs ${p}`);
  assert.ok(Math.abs(normalPdf(0) - 1 / Math.sqrt(2 * Math.PI)) < 1e-15);
  // N(x | mu, sigma²) = φ((x - mu)/sigma) / sigma.
  assert.ok(Math.abs(normalLogPdf(3, 1, 2) - (Math.log(normalPdf(1)) - Math.log(2))) < 1e-14);
  // The density is the derivative of the CDF (central difference).
  for (const x of [-2, -0.3, 0.7]) {
    const h = 1e-3;
    assert.ok(Math.abs((normalCdf(x + h) - normalCdf(x - h)) / (2 * h) - normalPdf(x)) < 1e-6);
  }
  assert.throws(() => normalLogPdf(0, 0, 0), /sigma must be > 0/);
});
