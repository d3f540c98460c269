/** Publishing tools (issue 10): saved full-run outputs, their verification, the HTML edition, README blocks. */
export { regenerate, mergeResults, selectNotebooks } from './regenerate';
export type { RegenerateOptions, PublishOutcome } from './regenerate';
export { setProvenance, removeProvenance, dropNoOpInjection, provenanceText, runRecord, runSeed, PROVENANCE_TAG } from './provenance';
export type { RunRecord } from './provenance';
export { verifySavedOutputs, recheck, CHECKS_TAG } from './saved-outputs';
export type { SavedOutputsReport, SavedCheck } from './saved-outputs';
export { buildHtmlEdition, renderNotebookPage, renderIndex, defaultPlotlyFile, PLOTLY_FILE } from './html-edition';
export type { HtmlEditionOptions, NotebookPage, TocEntry, MarkdownFactory } from './html-edition';
export { basicMarkdown, plainMath, slugify, Slugger, markdownHeadings } from './markdown';
export type { MarkdownRenderer, MathRenderer, BasicMarkdownOptions } from './markdown';
export { resultsTable, parseResultsFile, formatNumber } from './results-table';
export type { ResultsTableOptions } from './results-table';
export { REFERENCE_FIGURES } from './references';
export { notebookMap, lectureMapMarkdown } from './lecture-map';
export type { NotebookMap, MapSection } from './lecture-map';
export { replaceBlock, blockMarkers, MissingMarkersError } from './readme-blocks';
export { updateReadme } from './readme';
export type { ReadmeOptions } from './readme';
