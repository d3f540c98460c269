/**
 * Principal component analysis: the d orthonormal directions of greatest variance of centred data,
 * the top eigenvectors of the covariance C = X_cᵀX_c / (n - 1) (Pearson, 1901; Hotelling, 1933).
 *
 * tfjs has no eigensolver, and a full Jacobi solve of a 784 x 784 covariance is slow in JS, so we use
 * subspace iteration with Rayleigh-Ritz (Golub & Van Loan, §8.2.4; Halko, Martinsson & Tropp, 2011):
 *   Q ← orth(C Q) repeated, with m = d + oversample columns, then the eigenvectors of the small
 *   m x m matrix QᵀCQ rotate Q onto the principal directions. The error in direction i shrinks like
 *   (λ_{m+1}/λ_i)^iterations, so a few extra columns make the top d converge quickly.
 * The covariance product is done by tfjs (fast), the iteration in float64 JS (accurate).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import { type Mat, mat, matmul, matmulTN, orthonormalize, symmetricEigen } from '../../math';
import { requirePositiveInt } from '../../nn';

export interface PCAConfig {
  /** Number of components d to keep. */
  components: number;
  /** Seeds the random start of the subspace iteration. */
  rng: Rng;
  /** Extra columns carried through the iteration (faster, safer convergence). @default 10 */
  oversample?: number;
  /** Most subspace iterations. @default 100 */
  maxIterations?: number;
  /** Stop when no kept eigenvalue changes by more than this fraction between iterations. @default 1e-9 */
  tol?: number;
}

export class PCA {
  /** Feature means, [D]. */
  readonly mean: tf.Tensor1D;
  /** Principal directions as rows, [d, D], orthonormal, by decreasing variance. */
  readonly components: tf.Tensor2D;
  /** Variance along each component (eigenvalues of C), largest first. */
  readonly variances: number[];
  /** Total variance trace(C): the denominator of explained-variance ratios. */
  readonly totalVariance: number;
  /** Subspace iterations used. */
  readonly iterations: number;

  private constructor(mean: tf.Tensor1D, components: tf.Tensor2D, variances: number[], total: number, iterations: number) {
    this.mean = mean;
    this.components = components;
    this.variances = variances;
    this.totalVariance = total;
    this.iterations = iterations;
  }

  /** Fit PCA to the rows of `x` [n, D]. */
  static fit(x: tf.Tensor, config: PCAConfig): PCA {
    if (x.rank !== 2) throw new Error(`PCA.fit: x must be [n, D], got shape [${x.shape.join(', ')}]`);
    const [n, D] = x.shape as [number, number];
    const d = requirePositiveInt(config.components, 'components', 'PCA');
    if (d > D) throw new Error(`PCA: components (${d}) cannot exceed the data width D = ${D}`);
    if (n < 2) throw new Error('PCA.fit: need at least 2 rows');
    const m = Math.min(D, d + (config.oversample ?? 10));
    const maxIt = config.maxIterations ?? 100;
    const tol = config.tol ?? 1e-9;

    const mean = tf.mean(x, 0) as tf.Tensor1D;
    const covT = tf.tidy(() => {
      const xc = tf.sub(x, mean) as tf.Tensor2D;
      return tf.div(tf.matMul(xc, xc, true, false), n - 1);
    });
    const C = mat(D, D, covT.dataSync());
    covT.dispose();
    let total = 0;
    for (let i = 0; i < D; i++) total += C.data[i * D + i]!;

    const start = mat(D, m);
    for (let i = 0; i < start.data.length; i++) start.data[i] = config.rng.normal();
    let Q: Mat = orthonormalize(start);
    let prev: number[] = [];
    let iterations = 0;
    let ritz: { values: number[]; vectors: Mat } = { values: [], vectors: mat(m, m) };
    for (let it = 0; it < maxIt; it++) {
      iterations = it + 1;
      // One product with C per iteration: Z = C Q gives both the Rayleigh quotient T = QᵀCQ of the
      // current basis and the next basis orth(Z).
      const Z = matmul(C, Q);
      const T = matmulTN(Q, Z);
      for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) T.data[i * m + j] = T.data[j * m + i] = 0.5 * (T.data[i * m + j]! + T.data[j * m + i]!);
      ritz = symmetricEigen(T);
      const top = ritz.values.slice(0, d);
      const converged = prev.length === d && top.every((v, i) => Math.abs(v - prev[i]!) <= tol * Math.abs(top[0]!));
      prev = top;
      if (converged || it + 1 === maxIt) break;
      Q = orthonormalize(Z);
    }
    // Rotate the basis onto the Ritz vectors: U = Q V, keep the top d columns, store as rows.
    const U = matmul(Q, ritz.vectors);
    const rows = new Float32Array(d * D);
    for (let k = 0; k < d; k++) {
      // Sign convention: the largest-magnitude entry of each component is positive (reproducible plots).
      let big = 0;
      for (let r = 0; r < D; r++) if (Math.abs(U.data[r * m + k]!) > Math.abs(big)) big = U.data[r * m + k]!;
      const sgn = big < 0 ? -1 : 1;
      for (let r = 0; r < D; r++) rows[k * D + r] = sgn * U.data[r * m + k]!;
    }
    return new PCA(mean, tf.tensor2d(rows, [d, D]), ritz.values.slice(0, d), total, iterations);
  }

  /** Fraction of the total variance along each component. */
  get explainedVarianceRatio(): number[] {
    return this.variances.map((v) => v / this.totalVariance);
  }

  /** Coordinates of `x` [n, D] along the components: (x - mean) Vᵀ, [n, d]. */
  transform(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => tf.matMul(tf.sub(x, this.mean) as tf.Tensor2D, this.components, false, true));
  }

  /** Back to data space from coordinates [n, d]: mean + c V. */
  inverseTransform(c: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => tf.add(tf.matMul(c as tf.Tensor2D, this.components), this.mean) as tf.Tensor2D);
  }

  /** Project and reconstruct: the best rank-d approximation in squared error. */
  reconstruct(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => this.inverseTransform(this.transform(x)));
  }

  /** Mean per-example squared error Σ_d (x̂_d - x_d)² of the rank-d reconstruction. */
  reconstructionError(x: tf.Tensor): number {
    return tf.tidy(() => tf.mean(tf.sum(tf.square(tf.sub(this.reconstruct(x), x)), -1)).dataSync()[0]!);
  }

  dispose(): void {
    this.mean.dispose();
    this.components.dispose();
  }
}
