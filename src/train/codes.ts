/**
 * Dense codes: what a trained model's `encode` returns and what the dense baselines produce (their union with
 * sparse codes, `Codes`, is in `eval/method.ts`). Here because train is the lowest layer that needs them.
 */
/** Dense codes [n, dim]; s(x, y) = ⟨code(x), code(y)⟩. */
export interface DenseCodes {
  kind: 'dense';
  codes: Float32Array; // [n, dim]
  dim: number;
  /** Topic strengths θ [n, K] of topic models, for `topicUsage`. */
  theta?: { values: Float32Array; K: number };
}
