import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { dataDir, datasetDir, DATA_DIR_ENV, loadWine } from '../../src/data';
import { ROOT } from './helpers';

test('default data dir is <package root>/data, whatever the cwd (notebooks run in notebooks/)', () => {
  const saved = process.env[DATA_DIR_ENV];
  delete process.env[DATA_DIR_ENV];
  const cwd = process.cwd();
  try {
    assert.equal(dataDir(), path.join(ROOT, 'data'));
    assert.ok(fs.existsSync(path.join(dataDir(), 'mnist', 't10k-images-idx3-ubyte.gz')));
    process.chdir(os.tmpdir());
    assert.equal(dataDir(), path.join(ROOT, 'data'));
    assert.equal(loadWine({ colour: 'red' }).X.length, 1599);
  } finally {
    process.chdir(cwd);
    if (saved !== undefined) process.env[DATA_DIR_ENV] = saved;
  }
});

test('GENLAB_DATA_DIR overrides the default; an explicit option overrides both', () => {
  const saved = process.env[DATA_DIR_ENV];
  try {
    process.env[DATA_DIR_ENV] = '/srv/genlab-data';
    assert.equal(dataDir(), '/srv/genlab-data');
    assert.equal(datasetDir('mnist'), '/srv/genlab-data/mnist');
    assert.equal(dataDir('/elsewhere'), '/elsewhere');
    assert.equal(datasetDir('mnist', '/usr/share/datasets/fashion-mnist'), '/usr/share/datasets/fashion-mnist');
    assert.throws(() => loadWine(), /data folder not found: \/srv\/genlab-data\/wine-quality/);
  } finally {
    if (saved === undefined) delete process.env[DATA_DIR_ENV];
    else process.env[DATA_DIR_ENV] = saved;
  }
});
