export { Rng, seed, type Seed } from './rng';
export { initBackend, describeBackend, currentBackend, BACKENDS, type BackendName, type BackendInfo, type InitBackendOptions } from './backend';
export { installFastWasmMatMul } from './wasm-matmul';
export { keep, release, keptNames, type Disposable } from './keep';
export { uninstallFastWasmMatMul, fastWasmMatMulInstalled } from './wasm-matmul';
export { installWasmTrainingKernels, uninstallWasmTrainingKernels } from './wasm-kernels';
export { useThreadedWasm, wasmThreadsCount } from './wasm-threads';
export { interruptMark, interruptedSince, watchInterrupts } from './interrupt';
