import * as tf from '@tensorflow/tfjs';
import { initBackend } from './src/runtime/backend';
import { simdConv2D } from './src/runtime/simd-conv';
(async () => {
  await initBackend({ backend: 'wasm', announce: false });
  const T = (f: () => tf.Tensor) => { for (let i=0;i<2;i++) f().dispose(); const t0=process.cpuUsage(); const R=10; for (let i=0;i<R;i++) f().dispose(); const d=process.cpuUsage(t0); return (d.user+d.system)/1000/R; };
  let tot = 0; const parts: string[] = [];
  for (const [xs, fs, s] of [[[128,14,14,16],[3,3,16,16],1],[[128,7,7,32],[3,3,32,32],1],[[32,28,28,32],[3,3,32,16],1],[[32,28,28,16],[3,3,16,16],1]] as [number[], number[], number][]) {
    const x = tf.randomNormal(xs) as tf.Tensor4D; const w = tf.randomNormal(fs) as tf.Tensor4D;
    const y = tf.conv2d(x, w, s, 'same'); const dy = tf.randomNormal(y.shape) as tf.Tensor4D;
    const F = T(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: s, pad: 'same', dataFormat: 'NHWC', filterShape: fs }) as tf.Tensor);
    const I = T(() => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides: s, pad: 'same', dataFormat: 'NHWC', inputShape: xs }) as tf.Tensor);
    const C = T(() => tf.engine().makeTensorFromTensorInfo(simdConv2D({ inputs: { x, filter: w }, backend: tf.backend() as any, attrs: { strides: s, pad: 'same', dataFormat: 'NHWC' } as any })!));
    parts.push(`${xs[1]}x${xs[3]}: F ${F.toFixed(2)} I ${I.toFixed(2)} fwd ${C.toFixed(2)}`); tot += F + I + C;
  }
  const q = tf.randomNormal([32,4,32,16]); const a = tf.randomNormal([32,4,32,32]);
  const A1 = T(() => tf.matMul(q, q, false, true)); const A2 = T(() => tf.matMul(a, q)); const A3 = T(() => tf.matMul(a, q, true, false));
  console.log(parts.join(' | '), `| attn ${A1.toFixed(2)} ${A2.toFixed(2)} ${A3.toFixed(2)} | conv total ${tot.toFixed(1)}`);
})();
