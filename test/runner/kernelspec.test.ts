import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Kernel } from '../../src/runner/kernel';
import { installKernelSpecs, kernelsDir } from '../../src/runner/kernelspec';
import { FIXTURES, ROOT, tempDir } from './helpers';

describe('kernel registration (npm run kernel:install)', () => {
  const tmp = tempDir();
  after(tmp.cleanup);

  it("writes tslab and jslab specs with absolute paths to the kit's kernel (the project's tslab, protocol fixed)", async () => {
    const installed = await installKernelSpecs({ prefix: tmp.dir });
    assert.deepEqual(installed.map((k) => k.name), ['tslab', 'jslab']);
    const ts = JSON.parse(readFileSync(path.join(tmp.dir, 'share/jupyter/kernels/tslab/kernel.json'), 'utf8'));
    assert.equal(ts.display_name, 'TypeScript');
    assert.equal(ts.language, 'typescript');
    assert.equal(ts.argv[0], process.execPath);
    assert.equal(ts.argv[1], path.join(ROOT, 'dist', 'kernel', 'main.js'));
    assert.ok(existsSync(ts.argv[1]));
    assert.deepEqual(ts.argv.slice(2), ['kernel', '--config-path', '{connection_file}']);
    const js = JSON.parse(readFileSync(path.join(tmp.dir, 'share/jupyter/kernels/jslab/kernel.json'), 'utf8'));
    assert.deepEqual(js.argv.slice(2), ['kernel', '--config-path', '{connection_file}', '--js']);
  });

  it('chooses folders like jupyter_client', () => {
    assert.equal(kernelsDir({ prefix: '/opt/env' }), '/opt/env/share/jupyter/kernels');
    const prev = process.env.JUPYTER_DATA_DIR;
    process.env.JUPYTER_DATA_DIR = '/tmp/jd';
    try {
      assert.equal(kernelsDir({ user: true }), '/tmp/jd/kernels');
    } finally {
      if (prev === undefined) delete process.env.JUPYTER_DATA_DIR;
      else process.env.JUPYTER_DATA_DIR = prev;
    }
  });

  it('starts a working kernel from the written argv, as Jupyter would', async () => {
    const spec = JSON.parse(readFileSync(path.join(tmp.dir, 'share/jupyter/kernels/tslab/kernel.json'), 'utf8')) as { argv: string[] };
    const kernel = await Kernel.start({ cwd: FIXTURES, argv: spec.argv });
    try {
      let out = '';
      const r = await kernel.execute('const answer: number = 6 * 7;\nconsole.log(answer)', { onOutput: (m) => (out += String(m.content.text ?? '')) });
      assert.equal(r.status, 'ok');
      assert.equal(out, '42\n');
    } finally {
      await kernel.shutdown();
    }
  });
});
