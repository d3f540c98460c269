/**
 * IOPub messages -> nbformat 4 outputs, the way JupyterLab and nbclient build them:
 * consecutive stream messages of one name merge into one output; `display_data` with a
 * `transient.display_id` can later be replaced in place by `update_display_data` (in whichever cell
 * it lives), so a progress bar updated a thousand times is saved as one output; `clear_output`
 * (optionally deferred until the next output) empties the cell.
 */
import type { CodeCell, DisplayDataOutput, ExecuteResultOutput, JsonObject, MimeData, NotebookOutput } from './nbformat';
import { joinText } from './nbformat';
import type { JupyterMessage } from './wire';

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function displayIdOf(content: Record<string, unknown>): string | undefined {
  const id = record(content.transient).display_id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** Collects the outputs of one notebook run; one instance per notebook (display ids span cells). */
export class OutputCollector {
  private readonly displays = new Map<string, (DisplayDataOutput | ExecuteResultOutput)[]>();
  private clearOnNextOutput = false;

  /** Apply one IOPub message to `cell` (the cell whose request is the message's parent). */
  handle(cell: CodeCell, msg: JupyterMessage): void {
    const c = msg.content;
    switch (msg.header.msg_type) {
      case 'stream': {
        const name = c.name === 'stderr' ? 'stderr' : 'stdout';
        const text = typeof c.text === 'string' ? c.text : '';
        this.beforeOutput(cell);
        const last = cell.outputs[cell.outputs.length - 1];
        if (last !== undefined && last.output_type === 'stream' && last.name === name) {
          last.text = joinText(last.text) + text;
        } else {
          cell.outputs.push({ output_type: 'stream', name, text });
        }
        return;
      }
      case 'display_data':
      case 'execute_result': {
        this.beforeOutput(cell);
        const data = record(c.data) as MimeData;
        const metadata = record(c.metadata) as JsonObject;
        const output: DisplayDataOutput | ExecuteResultOutput =
          msg.header.msg_type === 'display_data'
            ? { output_type: 'display_data', data, metadata }
            : {
                output_type: 'execute_result',
                execution_count: typeof c.execution_count === 'number' ? c.execution_count : null,
                data,
                metadata,
              };
        cell.outputs.push(output);
        const id = displayIdOf(c);
        if (id !== undefined) {
          const list = this.displays.get(id) ?? [];
          list.push(output);
          this.displays.set(id, list);
        }
        return;
      }
      case 'update_display_data': {
        const id = displayIdOf(c);
        // An update for an id we never saw displayed has nothing to replace (nbclient drops it too).
        for (const output of (id !== undefined ? this.displays.get(id) : undefined) ?? []) {
          output.data = record(c.data) as MimeData;
          output.metadata = record(c.metadata) as JsonObject;
        }
        return;
      }
      case 'error': {
        this.beforeOutput(cell);
        const tb = Array.isArray(c.traceback) ? c.traceback.map(String) : [];
        cell.outputs.push({ output_type: 'error', ename: String(c.ename ?? ''), evalue: String(c.evalue ?? ''), traceback: tb });
        return;
      }
      case 'clear_output':
        if (c.wait === true) this.clearOnNextOutput = true;
        else this.clear(cell);
        return;
      default:
        // status, execute_input, comm_* ...: not outputs.
        return;
    }
  }

  /** Start a cell: a deferred clear from the previous cell does not carry over. */
  startCell(): void {
    this.clearOnNextOutput = false;
  }

  private beforeOutput(cell: CodeCell): void {
    if (this.clearOnNextOutput) this.clear(cell);
  }

  private clear(cell: CodeCell): void {
    this.clearOnNextOutput = false;
    cell.outputs.length = 0;
  }
}

/** Outputs of a MIME type across a list of outputs (display_data and execute_result). */
export function mimeOutputs(outputs: readonly NotebookOutput[], mime: string): unknown[] {
  const found: unknown[] = [];
  for (const o of outputs) {
    if ((o.output_type === 'display_data' || o.output_type === 'execute_result') && mime in o.data) found.push(o.data[mime]);
  }
  return found;
}
