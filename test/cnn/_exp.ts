import * as tf from '@tensorflow/tfjs';
import { initBackend, seed } from '../../src/runtime';
import { DeepCNN } from '../../src/models/cnn';
import { Trainer } from '../../src/train/trainer';
import { loadMnist } from '../../src/data/mnist';
import { gradientCorrelationAlongLines } from '../../src/analysis';
(async () => {
  await initBackend({ backend: 'wasm' } as never);
  const lr = Number(process.env.LR ?? '1e-3');
  const epochs = Number(process.env.EPOCHS ?? '2');
  const ch = JSON.parse(process.env.CH ?? '[8,16]');
  const blocksList = JSON.parse(process.env.BLOCKS ?? '[14, 2, 6]');
  const d = loadMnist({ shape: 'image' });
  const a = tf.slice(d.test.x, [0, 0, 0, 0], [8, -1, -1, -1]) as tf.Tensor4D;
  const b = tf.slice(d.test.x, [8, 0, 0, 0], [8, -1, -1, -1]) as tf.Tensor4D;
  const cls = Array.from(d.test.y.slice([0], [8]).dataSync());
  for (const blocks of blocksList) for (const residual of [false, true]) {
    const m = new DeepCNN({ blocks, residual, channels: ch, rng: seed(`m${blocks}${residual}`) });
    const t = new Trainer(m, { rng: seed('t'), batchSize: 128, learningRate: lr });
    const t0 = Date.now();
    const h = await t.fit({ x: d.train.x, y: d.train.y }, { epochs, progress: false });
    const secs = (Date.now() - t0) / 1000;
    const acc = m.accuracy(d.test.x, d.test.y);
    const g = gradientCorrelationAlongLines((x) => m.logits(x, false), a, b, cls, { points: 32, maxLag: 4 });
    const g0 = new DeepCNN({ blocks, residual, channels: ch, rng: seed(`m${blocks}${residual}`) });
    console.log(JSON.stringify({ depth: m.depth, residual, lr, secs, loss: h['loss']!.map((v) => +v.toFixed(4)), acc, rho: g.correlation.map((v) => +v.toFixed(3)) }));
    m.dispose(); g0.dispose();
  }
})();
