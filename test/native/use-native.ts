/**
 * Preload for running unit tests on the native backend (CI's native stage, `.ci/run`):
 *
 *   node --import tsx --import ./test/native/use-native.ts --test test/vae/*.test.ts
 *
 * It loads the checkout's `.native/` build (or an npm tfjs-node) before any test, with the kit's
 * thread settings, so every test that does not pick a backend runs on libtensorflow: tfjs-node
 * registers "tensorflow" with a higher priority than "cpu". Tests that set `cpu` on purpose (reference
 * results) keep it. `GENLAB_BACKEND=tensorflow` makes `initBackend()` calls choose it too; if no native
 * build loads, the process stops with the reasons rather than quietly testing something else.
 */
import * as tf from '@tensorflow/tfjs';
import { loadNativeBackend } from '../../src/runtime/backend';

process.env['GENLAB_BACKEND'] = 'tensorflow';
const loaded = loadNativeBackend();
if (loaded.provider === null) {
  console.error(`use-native: no native backend loads: ${loaded.skipped.map((s) => `${s.provider}: ${s.reason}`).join('; ')}`);
  process.exit(1);
}
if (!tf.engine().registryFactory['tensorflow']) {
  console.error('use-native: the native build loaded but did not register "tensorflow" on this tfjs-core');
  process.exit(1);
}
