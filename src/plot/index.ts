/**
 * Plotting: plotly figure builders, image grids and tables, and the bridge that shows them in a tslab
 * notebook (plotly.js loaded once per notebook) or writes them out for review.
 *
 * ```ts
 * loadPlotly();                                         // set-up cell: plotly.js enters the page once
 * show(trainingCurves(history, { logY: true }));        // a figure: a div + its JSON, no library
 * show(imageGrid(samples, { cols: 8 }));                // a PNG
 * showTable(df.describe());                             // an HTML table
 * saveFigure(fig, 'out/fig.html');                      // standalone page, plotly.js inlined
 * ```
 * Builders take tensors, arrays, typed arrays or danfo objects and never dispose what they are given.
 */
export type { Figure, Trace, Layout, AxisLayout, CommonOptions } from './figure';
export { figure, overlay, figureSummary } from './figure';
export type { VectorInput, MatrixInput, SeriesLike, DataFrameLike, TypedArray } from './data';
export type { Grid } from './grid';
export { gridPoints } from './grid';
export type { Colormap } from './colors';
export { PALETTE } from './colors';

export type { HistoryInput, TrainingCurvesOptions } from './training';
export { trainingCurves } from './training';
export type { PointsInput, ScatterOptions } from './scatter';
export { scatter2d, scatterSets } from './scatter';
export type { FieldInput, DensityOptions } from './density';
export { densityPlot } from './density';
export type { SamplesInput, Curve, HistogramOptions } from './histogram';
export { histogram, binCounts } from './histogram';
export type { Band, BandPlotOptions } from './bands';
export { bandPlot } from './bands';
export type { LinePlotOptions } from './line';
export { linePlot } from './line';
export type { BarInput, BarChartOptions } from './bar';
export { barChart } from './bar';
export type { CalibrationOptions } from './calibration';
export { calibrationPlot } from './calibration';
export type { QuiverOptions } from './quiver';
export { quiver } from './quiver';
export type { SmallMultiplesOptions } from './subplots';
export { smallMultiples } from './subplots';

export type { ImagesInput, ImageGridOptions, ImageGrid } from './image-grid';
export { imageGrid, imageGridBundle } from './image-grid';
export { encodePng, crc32 } from './png';
export type { TableInput, TableOptions } from './table';
export { showTable, tableBundle } from './table';
export type { ProgressUpdate, ProgressOptions } from './progress';
export { ProgressDisplay, progressBar } from './progress';

export type { Showable, LiveFigure } from './show';
export { show, loadPlotly, figureBundle, liveFigure, PLOTLY_MIME } from './show';
export type { SaveFigureOptions } from './export';
export type { PlotlyInclude } from './html';
export { toJSON, saveFigure } from './export';
