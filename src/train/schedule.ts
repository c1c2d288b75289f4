/**
 * Learning-rate schedules shared by SADSL's joint training and the learned baselines (docs/model.md §7):
 * `constant`, or `cosine` = a linear warm-up over `warmupSteps` steps, then a cosine decay to 0 at the last step.
 */
export type LrSchedule = 'constant' | 'cosine';

export interface ScheduleArgs {
  lrSchedule: LrSchedule;
  warmupSteps: number;
}

/** The factor of the base learning rate at step `step` (1-based) of `total`. */
export function lrFactor(args: ScheduleArgs, step: number, total: number): number {
  if (args.lrSchedule === 'constant') return 1;
  const w = args.warmupSteps;
  if (step <= w) return step / (w + 1);
  const t = total > w + 1 ? (step - w - 1) / (total - w - 1) : 1; // 0 at the first step after warm-up, 1 at the last
  return 0.5 * (1 + Math.cos(Math.PI * t));
}

/** Sets an optimiser's learning rate (tfjs reads `learningRate` at every applyGradients). */
export function setLearningRate(optimizer: object, lr: number): void {
  (optimizer as { learningRate: number }).learningRate = lr;
}
