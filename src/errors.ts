/**
 * Domain errors. Every error a user can cause is a `SadslError`: the CLI prints its message on one line
 * and exits with `exitCode` (2 = bad input), never a stack trace.
 */
export class SadslError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = new.target.name;
  }
}

/** A command-line or API argument is invalid; the message names the argument. */
export class ArgumentError extends SadslError {}

/** A dataset file or folder is missing, truncated or malformed; the message names the file. */
export class DataError extends SadslError {}

/** Why an image was refused: bytes no decoder reads, a format not taken, or more pixels than allowed. */
export type ImageProblem = 'undecodable' | 'unsupported' | 'too-large';

/** An image file or upload that cannot be decoded; the message names it and the problem. */
export class ImageError extends DataError {
  constructor(
    message: string,
    readonly problem: ImageProblem,
  ) {
    super(message);
  }
}

/** A saved model, checkpoint or index is missing, corrupt or incompatible. */
export class ModelError extends SadslError {}

/** The requested engine backend cannot be initialised. */
export class EngineError extends SadslError {}
