/**
 * Per-kernel profile of bench workloads on wasm (where the time goes, before optimising):
 *   flock /tmp/genlab-timing.lock node --import tsx test/bench/profile.ts mlp vae cnn
 * Prints ms per training step (wall and this process's CPU time, which includes the second core's worker
 * (src/runtime/second-core.ts): set GENLAB_SECOND_CORE=0 on both sides to compare CPU times; on a loaded machine the CPU time is the
 * steadier figure for comparing two versions), kernels per step and the 22 most expensive kernels with
 * their input shapes (wall time). `--summary` prints only the per-step line.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend';
import { WORKLOADS, workloadRng } from './workloads';
async function main() {
  await initBackend({ backend: 'wasm', announce: false });
  const summary = process.argv.includes('--summary');
  for (const name of process.argv.slice(2).filter((a) => !a.startsWith('--'))) {
    const w = WORKLOADS.find((x) => x.name === name)!;
    const b = w.build(workloadRng(name));
    await b.trainer.fit(b.data, { epochs: 1, maxStepsPerEpoch: 3, progress: false });
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await b.trainer.fit(b.data, { epochs: 1, maxStepsPerEpoch: 20, progress: false, syncEvery: 50 });
    const ms = (performance.now() - t0) / 20;
    const cpu = process.cpuUsage(c0);
    const cpuMs = (cpu.user + cpu.system) / 1000 / 20;
    if (summary) {
      console.log(`${name}: ${ms.toFixed(1)} ms/step wall, ${cpuMs.toFixed(1)} ms/step CPU`);
      b.trainer.dispose(); b.model.dispose(); tf.dispose(Object.values(b.data));
      continue;
    }
    const info = await tf.profile(() => b.trainer.fit(b.data, { epochs: 1, maxStepsPerEpoch: 5, progress: false, syncEvery: 50 }));
    const agg = new Map<string, { n: number; ms: number }>();
    for (const k of info.kernels) {
      const kt = (k as unknown as { kernelTimeMs: number }).kernelTimeMs;
      const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
      const a = agg.get(key) ?? { n: 0, ms: 0 };
      a.n++; a.ms += typeof kt === 'number' ? kt : 0; agg.set(key, a);
    }
    const total = [...agg.values()].reduce((s, a) => s + a.ms, 0) / 5;
    console.log(`\n== ${name}: ${ms.toFixed(1)} ms/step (${(1000/ms).toFixed(1)} steps/s), ${cpuMs.toFixed(1)} ms/step CPU, kernels ${info.kernels.length/5} per step, kernel time ${total.toFixed(1)} ms/step`);
    const rows = [...agg].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(process.env.TOP ?? 22));
    for (const [k, a] of rows) console.log(`${(a.ms/5).toFixed(2).padStart(7)} ms ${String(a.n/5).padStart(4)}x ${k.slice(0, 110)}`);
    b.trainer.dispose(); b.model.dispose(); tf.dispose(Object.values(b.data));
  }
}
main();
