// ONNX Runtime (npm onnxruntime-node) on MODEL with INPUT.f32: same JSON as
// bench-nn.  NODE_PATH must point at the node_modules holding it.
const ort = require('onnxruntime-node');
const fs = require('fs');
const [model, inp, shapeArg, runsArg, threadsArg] = process.argv.slice(2);
const shape = shapeArg.split(',').map(Number);
const runs = Number(runsArg);
const buf = fs.readFileSync(inp);
const data = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
(async () => {
  const t0 = process.hrtime.bigint();
  const sess = await ort.InferenceSession.create(model, {
    intraOpNumThreads: Number(threadsArg), interOpNumThreads: 1, graphOptimizationLevel: 'all'});
  const t1 = process.hrtime.bigint();
  const feeds = {[sess.inputNames[0]]: new ort.Tensor('float32', data, shape)};
  await sess.run(feeds);
  const t2 = process.hrtime.bigint();
  const ms = [];
  const c0 = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const a = process.hrtime.bigint();
    await sess.run(feeds);
    ms.push(Number(process.hrtime.bigint() - a) / 1e6);
  }
  const c = process.cpuUsage(c0);
  const cpuMs = (c.user + c.system) / 1000 / Math.max(runs, 1);
  ms.sort((a, b) => a - b);
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)[1]) / 1024;
  const version = require('onnxruntime-node/package.json').version;
  console.log(JSON.stringify({runtime: `onnxruntime-node ${version} (${threadsArg} threads)`,
    load_ms: Number(t1 - t0) / 1e6, first_ms: Number(t2 - t1) / 1e6,
    median_ms: ms[Math.floor(ms.length / 2)], min_ms: ms[0], runs, cpu_ms: cpuMs, vmhwm_mb: hwm}));
})();
