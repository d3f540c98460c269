/**
 * The kernel connection file: where the kernel binds its five sockets and the key that signs messages
 * (https://jupyter-client.readthedocs.io/en/stable/kernels.html#connection-files).
 */
import { randomBytes } from 'crypto';
import { promises as fs } from 'fs';
import net from 'net';
import path from 'path';

/** How the kernel and the runner reach each other. */
export type Transport = 'tcp' | 'ipc';

/** The JSON a kernel reads from `--config-path`. */
export interface ConnectionInfo {
  transport: Transport;
  /** For tcp the address; for ipc the socket path prefix. */
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: 'hmac-sha256';
  kernel_name: string;
}

/** The channels of a kernel connection. */
export type Channel = 'shell' | 'iopub' | 'stdin' | 'control' | 'hb';

/**
 * The ZeroMQ endpoint of a channel exactly as tslab binds it: `${transport}://${ip}:${port}`.
 * (For ipc, jupyter_client would write `ip-port`; tslab formats both the same way, and we are both ends.)
 */
export function endpoint(info: ConnectionInfo, channel: Channel): string {
  return `${info.transport}://${info.ip}:${info[`${channel}_port`]}`;
}

async function freeTcpPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('could not allocate a TCP port');
  return { port: address.port, release: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * Write a connection file into `dir` (which must exist and be private to this kernel).
 *
 * tcp: five free localhost ports, held open together so they are distinct, then released for the kernel
 * to bind (the same small race jupyter_client accepts). ipc: Unix sockets inside `dir`, which cannot
 * collide with other runs, so it is the better choice where it exists (not on Windows).
 */
export async function writeConnectionFile(dir: string, transport: Transport): Promise<{ file: string; info: ConnectionInfo }> {
  let ports: number[];
  let ip: string;
  if (transport === 'tcp') {
    const held = [];
    for (let i = 0; i < 5; i++) held.push(await freeTcpPort());
    await Promise.all(held.map((h) => h.release()));
    ports = held.map((h) => h.port);
    ip = '127.0.0.1';
  } else {
    ports = [1, 2, 3, 4, 5];
    // Unix socket paths are limited to ~104 bytes; the caller keeps `dir` short (os.tmpdir()).
    ip = path.join(dir, 'k');
  }
  const [shell, iopub, stdin, control, hb] = ports as [number, number, number, number, number];
  const info: ConnectionInfo = {
    transport,
    ip,
    shell_port: shell,
    iopub_port: iopub,
    stdin_port: stdin,
    control_port: control,
    hb_port: hb,
    key: randomBytes(32).toString('hex'),
    signature_scheme: 'hmac-sha256',
    kernel_name: 'tslab',
  };
  const file = path.join(dir, 'connection.json');
  // 0600: the key lets anyone who reads it run code in the kernel.
  await fs.writeFile(file, JSON.stringify(info, null, 2), { mode: 0o600 });
  return { file, info };
}
