/**
 * Predictive summaries against direct computation: the law of total variance, the mixture density,
 * entropy and mutual information by enumeration, and standard normal quantiles.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  calibrationCurve,
  classificationPredictive,
  intervalCoverage,
  mixtureNll,
  predictiveInterval,
  regressionPredictive,
  rmse,
} from '../../src/models/bayesian';
import { normalQuantile } from '../../src/math';

const close = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('regression predictive splits the variance into aleatoric + epistemic (law of total variance)', async () => {
  await tf.setBackend('cpu');
  const mu = [[1, 5], [2, 5], [4, 5]];
  const sigma = [[0.5, 1], [1, 1], [0.5, 1]];
  const p = regressionPredictive(tf.tensor2d(mu), tf.tensor2d(sigma));
  // Example 0: means 1, 2, 4 -> m = 7/3, Var(mu) = 14/9; E[sigma^2] = (0.25 + 1 + 0.25) / 3 = 0.5.
  close(p.mean[0]!, 7 / 3, 1e-6, 'mean');
  close(p.epistemicStd[0]!, Math.sqrt(14 / 9), 1e-5, 'epistemic std');
  close(p.aleatoricStd[0]!, Math.sqrt(0.5), 1e-6, 'aleatoric std');
  close(p.std[0]!, Math.sqrt(14 / 9 + 0.5), 1e-5, 'total std');
  // Example 1: all samples agree: no epistemic part.
  close(p.epistemicStd[1]!, 0, 1e-6, 'epistemic std of agreeing samples');
  close(p.std[1]!, 1, 1e-6, 'total std of agreeing samples');
  // A point regressor (no sigma) has only the spread of its means.
  const q = regressionPredictive(tf.tensor2d(mu), null);
  close(q.aleatoricStd[0]!, 0, 0, 'aleatoric std without noise');
});

test('mixture NLL equals -log of the averaged Gaussian densities', async () => {
  await tf.setBackend('cpu');
  const mu = [[0, 1], [1, -1]];
  const sigma = [[1, 0.5], [2, 0.5]];
  const y = [0.5, 0];
  const n = (x: number, m: number, s: number): number => Math.exp(-0.5 * ((x - m) / s) ** 2) / (s * Math.sqrt(2 * Math.PI));
  const want = -(Math.log((n(0.5, 0, 1) + n(0.5, 1, 2)) / 2) + Math.log((n(0, 1, 0.5) + n(0, -1, 0.5)) / 2)) / 2;
  close(mixtureNll(tf.tensor2d(mu), tf.tensor2d(sigma), tf.tensor1d(y)), want, 1e-5, 'mixture NLL');
});

test('classification: entropy, expected entropy and mutual information by enumeration', async () => {
  await tf.setBackend('cpu');
  // Two samples that disagree confidently (high MI) and one example where they agree (MI 0).
  const probs = [
    [[0.9, 0.1], [0.5, 0.5]],
    [[0.1, 0.9], [0.5, 0.5]],
  ];
  const p = classificationPredictive(tf.tensor3d(probs));
  const H = (v: number[]): number => -v.reduce((s, x) => s + (x > 0 ? x * Math.log(x) : 0), 0);
  close(p.entropy[0]!, Math.log(2), 1e-5, 'entropy of the averaged prediction');
  close(p.expectedEntropy[0]!, H([0.9, 0.1]), 1e-5, 'expected entropy');
  close(p.mutualInformation[0]!, Math.log(2) - H([0.9, 0.1]), 1e-5, 'mutual information');
  close(p.mutualInformation[1]!, 0, 1e-6, 'mutual information when samples agree');
  close(p.entropy[1]!, Math.log(2), 1e-5, 'aleatoric-only entropy');
  assert.deepEqual(p.probs[0]!.map((v) => Math.round(v * 100) / 100), [0.5, 0.5]);
});

test('normal quantiles, intervals, coverage, calibration and RMSE', () => {
  close(normalQuantile(0.975), 1.959963985, 1e-7, 'Phi^-1(0.975)');
  close(normalQuantile(0.5), 0, 1e-12, 'Phi^-1(0.5)');
  close(normalQuantile(0.001), -3.090232306, 1e-7, 'Phi^-1(0.001)');
  const { lower, upper } = predictiveInterval([0], [2], 0.95);
  close(lower[0]!, -3.919927970, 1e-6, 'lower end');
  close(upper[0]!, 3.919927970, 1e-6, 'upper end');
  // Targets at 0.5, 1.5, 2.5 std from the mean: the 95% interval (1.96 std) holds 2 of 3.
  const y = [0.5, -1.5, 2.5];
  close(intervalCoverage(y, [0, 0, 0], [1, 1, 1], 0.95), 2 / 3, 1e-12, 'coverage');
  const c = calibrationCurve(y, [0, 0, 0], [1, 1, 1], [0.5, 0.99]);
  assert.deepEqual(c.observed, [1 / 3, 1]);
  close(rmse([1, 2, 3], [1, 2, 5]), Math.sqrt(4 / 3), 1e-12, 'rmse');
  assert.throws(() => predictiveInterval([0], [1], 1.2), /level must be in \(0, 1\)/);
});
