/**
 * A problem with parameters or profiles; the message says which and how to fix it. `origin` tells
 * whether the request was wrong (`usage`: unknown --profile, unknown or mistyped --param) or the
 * notebook is (`notebook`: malformed metadata, a profile setting an undeclared name).
 */
export class ParameterError extends Error {
  constructor(
    message: string,
    readonly origin: 'usage' | 'notebook' = 'usage',
  ) {
    super(message);
  }
}
ParameterError.prototype.name = 'ParameterError';
