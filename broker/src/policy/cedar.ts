import { setFlagsFromString } from 'node:v8';
import * as cedarWasm from '@cedar-policy/cedar-wasm/nodejs';

// Node 20.20's V8 (11.3) aborts the whole process (V8_Fatal in Deoptimizer::
// DoComputeBuiltinContinuation) when optimized code that inlined a JS→wasm call is lazily
// deoptimized while Cedar runs: cedar-wasm's glue re-reads wasm memory views, which invalidates
// dependent code. Reproduced by bench/src/policyBench.ts within seconds; gone with this flag.
// The flag only stops TurboFan inlining the wasm call itself; set before any decision is made.
setFlagsFromString('--no-turbo-inline-js-wasm-calls');

/** Cedar's wasm bindings (Node build). Import Cedar only through here so the flag above is set first. */
export const cedar = cedarWasm;
