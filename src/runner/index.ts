/** Headless notebook execution through the tslab kernel: library API (the CLI is cli.ts). */
export { runNotebook, defaultOutputPath } from './run-notebook';
export { runNotebooks, outputPaths } from './run-notebooks';
export { formatResultLine, formatSummary, writeResults } from './summary';
export type { ResultsFile } from './summary';
export { DEFAULT_CELL_TIMEOUT_SECONDS, DEFAULT_OUT_DIR, DEFAULT_TIMEOUT_SECONDS, UsageError } from './options';
export type { RunOptions, RunSummary, NotebookResult, NotebookStatus, CheckResult, CellTiming, LeakReport } from './options';
export { parseArgs, resolveRun, RUN_COMMAND, USAGE } from './args';
export type { ParsedArgs, RunSettings } from './args';
export { commandMain, flag, helpText, oneOf, parseCommand, positiveNumber, runCommand, value, EXIT } from '../cli/command';
export type { Command, CommandIO, OptionSpec, Parsed } from '../cli/command';
export { Kernel, KernelStartError, defaultKernelArgv, describeExit } from './kernel';
export type { KernelOptions, KernelExit, ExecuteOptions, ExecuteOutcome, ExecuteReply, KernelDied, ExecutionTiming } from './kernel';
export type { Transport, ConnectionInfo } from './connection';
export type { JupyterMessage, MessageHeader } from './wire';
export { readNotebook, parseNotebook, writeNotebook, serializeNotebook, cellSource, cellTags, NotebookError } from './nbformat';
export type {
  Notebook,
  NotebookCell,
  CodeCell,
  MarkdownCell,
  RawCell,
  NotebookOutput,
  StreamOutput,
  DisplayDataOutput,
  ExecuteResultOutput,
  ErrorOutput,
  MimeData,
  MultilineString,
  CellMetadata,
  JsonObject,
} from './nbformat';
export { schemaProblems, NEWEST_MINOR } from './nbformat-schema';
export type { SchemaProblem } from './nbformat-schema';
export { planParameters, injectParameters, declaredParameters, readProfiles, parseParamValue, ParameterError, PARAMETERS_TAG, INJECTED_TAG } from './parameters';
export type { ParamValue, ParameterPlan, ParameterOptions, NotebookProfile, ProfileSettings, DeclaredParameter } from './parameters';
export { formatFailure } from './failure';
export type { CellFailure, FailureKind } from './failure';
export { compareNotebooks, formatDifferences, sanitize, DEFAULT_SANITIZERS, NO_COMPARE_TAGS } from './compare';
export type { CompareOptions, OutputDifference, Sanitizer } from './compare';
export { installKernelSpecs, kernelSpec, kernelsDir, userJupyterDataDir } from './kernelspec';
export type { InstallKernelOptions, InstalledKernelSpec } from './kernelspec';
