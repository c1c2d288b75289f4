/**
 * Small dense linear algebra in float64 for the PCA and LSA baselines: top eigenvectors of a symmetric
 * positive semi-definite operator by subspace iteration with a Rayleigh–Ritz step, on top of modified
 * Gram–Schmidt and the cyclic Jacobi eigen-solver for the small projected matrix. Vectors are columns,
 * each a Float64Array of the operator's dimension.
 */
import type { Rng } from '../engine/random.js';

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Orthonormalises columns in place (modified Gram–Schmidt, applied twice for stability); a column that is
 * numerically dependent on the previous ones becomes zero.
 */
export function orthonormalize(cols: Float64Array[]): void {
  for (let j = 0; j < cols.length; j++) {
    const v = cols[j];
    const norm0 = Math.sqrt(dot(v, v));
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < j; i++) {
        const c = dot(cols[i], v);
        const u = cols[i];
        for (let t = 0; t < v.length; t++) v[t] -= c * u[t];
      }
    }
    const norm = Math.sqrt(dot(v, v));
    const inv = norm > 1e-10 * norm0 && norm > 0 ? 1 / norm : 0;
    for (let t = 0; t < v.length; t++) v[t] *= inv;
  }
}

/**
 * Eigen-decomposition of a symmetric n×n matrix (row-major, not modified) by cyclic Jacobi rotations.
 * Returns eigenvalues in descending order and the matching eigenvectors as columns.
 */
export function symmetricEigen(matrix: Float64Array, n: number): { values: Float64Array; vectors: Float64Array[] } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        total += a[i * n + j] ** 2;
        if (i !== j) off += a[i * n + j] ** 2;
      }
    }
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y] - a[x * n + x] || x - y);
  return {
    values: Float64Array.from(order, (i) => a[i * n + i]),
    vectors: order.map((i) => Float64Array.from({ length: n }, (_, k) => v[k * n + i])),
  };
}

export interface EigenOptions {
  /** Extra columns iterated beyond k (default 10). */
  oversample?: number;
  /** Subspace iterations (default 20). */
  iterations?: number;
  rng: Rng;
  onIteration?: (done: number, total: number) => void;
}

/**
 * The top-k eigenpairs of a symmetric PSD operator of dimension `dim`, given only `apply(V) = A·V` on
 * columns: subspace iteration from a seeded Gaussian start, then Rayleigh–Ritz (eigenvectors of VᵀAV).
 */
export function topEigen(
  apply: (cols: Float64Array[]) => Float64Array[],
  dim: number,
  k: number,
  opts: EigenOptions,
): { values: Float64Array; vectors: Float64Array[] } {
  const l = Math.min(dim, k + (opts.oversample ?? 10));
  const iterations = opts.iterations ?? 20;
  let V: Float64Array[] = Array.from({ length: l }, () => Float64Array.from(opts.rng.normalArray(dim)));
  orthonormalize(V);
  for (let it = 0; it < iterations; it++) {
    V = apply(V);
    orthonormalize(V);
    opts.onIteration?.(it + 1, iterations);
  }
  const AV = apply(V);
  const T = new Float64Array(l * l);
  for (let i = 0; i < l; i++) for (let j = i; j < l; j++) T[i * l + j] = T[j * l + i] = dot(V[i], AV[j]);
  const { values, vectors: U } = symmetricEigen(T, l);
  const vectors = U.slice(0, k).map((u) => {
    const out = new Float64Array(dim);
    for (let i = 0; i < l; i++) {
      const c = u[i];
      const vi = V[i];
      for (let t = 0; t < dim; t++) out[t] += c * vi[t];
    }
    return out;
  });
  return { values: values.slice(0, k), vectors };
}
