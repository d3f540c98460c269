/**
 * The backends a layer test compares against its naive reference: cpu and wasm always, and native
 * TensorFlow when the test process has loaded it (CI's native stage preloads test/native/use-native.ts).
 * The layers must work on native too (issue 19), and tfjs-node rejects some arguments the JavaScript
 * backends accept (numeric conv padding), so a layer test that skipped native would miss that.
 */
import * as tf from '@tensorflow/tfjs';

export type LayerBackend = 'cpu' | 'wasm' | 'tensorflow';

export function layerBackends(): LayerBackend[] {
  return tf.engine().registryFactory['tensorflow'] ? ['cpu', 'wasm', 'tensorflow'] : ['cpu', 'wasm'];
}
