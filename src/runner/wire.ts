/**
 * The Jupyter messaging protocol v5 on the wire: how one message becomes ZeroMQ frames and back.
 *
 * Frames: [routing ids..., "<IDS|MSG>", hmac, header, parent_header, metadata, content, buffers...].
 * The HMAC-SHA256 signature covers the four JSON frames in that order, keyed by the connection
 * file's `key` (https://jupyter-client.readthedocs.io/en/stable/messaging.html#the-wire-protocol).
 *
 * Written here because no maintained Node package speaks this protocol to a kernel directly:
 * `@jupyterlab/services` talks to a Jupyter *server* (HTTP and WebSocket), which would need Python
 * and a running server; the runner needs neither. The sockets are the `zeromq` package, the same one
 * tslab uses to serve the kernel.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'crypto';

const DELIMITER = Buffer.from('<IDS|MSG>');

/** The header every Jupyter message carries. */
export interface MessageHeader {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

/** One decoded Jupyter message; `content` is left as JSON for the caller to narrow. */
export interface JupyterMessage {
  header: MessageHeader;
  /** The header of the request this message answers, or `{}` for unsolicited messages. */
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
  buffers: Buffer[];
}

/** Thrown when a frame set is not a Jupyter message or its signature does not match the key. */
export class WireError extends Error {}
WireError.prototype.name = 'WireError';

function sign(key: string, parts: readonly (Buffer | string)[]): string {
  // An empty key means "unsigned" in the protocol; tslab always gets a key from us.
  if (key === '') return '';
  const hmac = createHmac('sha256', key);
  for (const p of parts) hmac.update(p);
  return hmac.digest('hex');
}

/** A fresh message from this client (session is fixed per kernel connection). */
export function createMessage(
  msgType: string,
  content: Record<string, unknown>,
  session: string,
  metadata: Record<string, unknown> = {},
): JupyterMessage {
  return {
    header: {
      msg_id: randomUUID(),
      session,
      username: 'genlab-run',
      date: new Date().toISOString(),
      msg_type: msgType,
      version: '5.3',
    },
    parent_header: {},
    metadata,
    content,
    buffers: [],
  };
}

/** Serialise and sign a message. Routing ids are left to the socket (a Dealer adds its own). */
export function encodeMessage(msg: JupyterMessage, key: string): Buffer[] {
  const parts = [msg.header, msg.parent_header, msg.metadata, msg.content].map((p) => Buffer.from(JSON.stringify(p)));
  return [DELIMITER, Buffer.from(sign(key, parts)), ...parts, ...msg.buffers];
}

function parseJson(frame: Buffer | undefined, what: string): Record<string, unknown> {
  if (frame === undefined) throw new WireError(`message has no ${what} frame`);
  const value: unknown = JSON.parse(frame.toString('utf8'));
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new WireError(`message ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Parse and verify frames received from the kernel; throws WireError on a bad signature. */
export function decodeMessage(frames: readonly Buffer[], key: string): JupyterMessage {
  const at = frames.findIndex((f) => f.equals(DELIMITER));
  if (at < 0) throw new WireError('message has no <IDS|MSG> delimiter');
  const signature = frames[at + 1]?.toString('ascii') ?? '';
  const parts = frames.slice(at + 2, at + 6);
  const expected = sign(key, parts);
  const a = Buffer.from(signature);
  const b = Buffer.from(expected);
  // Constant-time compare: the key is a shared secret, even on localhost.
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new WireError('message signature does not match the connection key');
  }
  const header = parseJson(parts[0], 'header') as unknown as MessageHeader;
  if (typeof header.msg_type !== 'string') throw new WireError('message header has no msg_type');
  return {
    header,
    parent_header: parseJson(parts[1], 'parent_header') as Partial<MessageHeader>,
    metadata: parseJson(parts[2], 'metadata'),
    content: parseJson(parts[3], 'content'),
    buffers: frames.slice(at + 6),
  };
}
