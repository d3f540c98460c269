/**
 * Shared pieces of the convolution-family layer tests: seeded random arrays, a float64 central finite
 * difference, and a tolerance check that names the element that failed.
 */
import assert from 'node:assert/strict';
import { seed } from '../../src/runtime/rng';

export function randomArray(n: number, label: string): number[] {
  const rng = seed(label);
  return Array.from({ length: n }, () => rng.normal());
}

/** ∂f/∂a_i by central differences, for every i (f is evaluated in float64). */
export function finiteDifferences(f: (a: number[]) => number, a: number[], eps = 1e-4): number[] {
  return a.map((_v, i) => {
    const plus = [...a];
    plus[i]! += eps;
    const minus = [...a];
    minus[i]! -= eps;
    return (f(plus) - f(minus)) / (2 * eps);
  });
}

/** |got - want| <= tol (1 + |want|) elementwise. */
export function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length ${got.length} vs ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i]! - want[i]!) <= tol * (1 + Math.abs(want[i]!)), `${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

/** Index of (b, i, j, c) in a row-major NHWC array. */
export const nhwc = (shape: readonly number[], b: number, i: number, j: number, c: number): number =>
  ((b * shape[1]! + i) * shape[2]! + j) * shape[3]! + c;
