/**
 * Plain-number maths shared by the lecture models: the standard normal distribution and small float64
 * linear algebra (row-major matrices, orthonormalisation, Jacobi eigen-decomposition, Cholesky).
 */
export { normalCdf, normalLogPdf, normalPdf, normalQuantile } from './normal';
export { fromTensor, mat, matmul, matmulTN, transpose, type Mat } from './matrix';
export { orthonormalize } from './orthonormalize';
export { symmetricEigen, type Eigen } from './eigen';
export { cholesky } from './cholesky';
export { symmetricSqrt, traceSqrt } from './sqrtm';
