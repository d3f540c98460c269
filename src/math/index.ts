/**
 * Maths shared by the lecture models: the normal distribution (plain numbers, and Gaussian
 * log-densities on tensors) and small float64 linear algebra (row-major matrices, orthonormalisation,
 * Jacobi eigen-decomposition, Cholesky).
 */
export { normalCdf, normalLogPdf, normalPdf, normalQuantile, LOG_2PI, HALF_LOG_2PI } from './normal';
export { gaussianLogDensity, diagGaussianLogDensity, standardNormalLogDensity } from './gaussian';
export { fromTensor, mat, matmul, matmulTN, transpose, type Mat } from './matrix';
export { orthonormalize } from './orthonormalize';
export { symmetricEigen, type Eigen } from './eigen';
export { cholesky } from './cholesky';
export { meanAndCovariance, solveLower, invertLower } from './covariance';
export { symmetricSqrt, traceSqrt } from './sqrtm';
