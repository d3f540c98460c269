/** What notebook cells call besides the models: checks on results. */
export { check, evaluateCheck, formatCheck, CheckFailedError, CheckSpecError, CHECK_MIME } from './check';
export type { CheckOp, CheckSpec, BoundCheck, BetweenCheck, CheckRecord } from './check';
export { setupNotebook, type SetupOptions } from './setup';
