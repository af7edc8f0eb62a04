// Times onnxruntime-node's float32 evaluation of a network exported by
// `memnet export --format onnx --dtype float32` on every point of a data
// set, for scripts/floatexact_speed.sh (the memnet side is
// nn.TestMeasureFloatView).
//
// usage: node floatexact_ort_speed.js MODEL.onnx DATA THREADS REPS BATCH [OUT]
// DATA: IDX images (.gz or not) or a CSV (.csv or .csv.gz, last column the
// label, non-numeric rows skipped), read by floatexact_data.js.
// The session runs with intraOpNumThreads = THREADS, interOpNumThreads = 1,
// sequential execution, graph optimization at its default (all), thread
// spinning at its default unless ORT_SPIN is set (below); the points
// go in batches of BATCH rows. Each of the REPS runs prints one line
// "ort float32 threads=T points=N cpu=S wall=S points/cpu-s=R", CPU-s being
// the process's user + system time (every thread) during the runs only (not
// reading the data or creating the session, printed separately). OUT: the
// outputs of the last run, point by point, as little-endian float32.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');
const { loadData } = require('./floatexact_data.js');

const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

async function main() {
  const [model, data, threadsArg, repsArg, batchArg, out] = process.argv.slice(2);
  const threads = Number(threadsArg), reps = Number(repsArg), batch = Number(batchArg);
  if (!(threads >= 1 && reps >= 1 && batch >= 1)) throw new Error('usage: floatexact_ort_speed.js MODEL.onnx DATA THREADS REPS BATCH [OUT]');
  const ds = loadData(data);
  const c0 = cpu();
  const opts = {
    executionProviders: ['cpu'], graphOptimizationLevel: 'all',
    intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential',
  };
  // ORT_SPIN=0: the intra-op pool's threads sleep instead of spinning
  // between runs (session.intra_op.allow_spinning; onnxruntime's default 1)
  if (process.env.ORT_SPIN) opts.extra = { session: { intra_op: { allow_spinning: process.env.ORT_SPIN } } };
  const sess = await ort.InferenceSession.create(model, opts);
  console.log(`ort ${ort.env.versions.common} (allow_spinning ${process.env.ORT_SPIN || 'default'}) session created in ${(cpu() - c0).toFixed(3)} CPU-s`);
  let y;
  for (let r = 0; r < reps; r++) {
    const parts = [];
    const c1 = cpu(), w1 = process.hrtime.bigint();
    for (let lo = 0; lo < ds.n; lo += batch) {
      const hi = Math.min(ds.n, lo + batch);
      const res = await sess.run({ x: new ort.Tensor('float32', ds.x.subarray(lo * ds.d, hi * ds.d), [hi - lo, ds.d]) });
      parts.push(res.y.data);
    }
    const c = cpu() - c1, w = Number(process.hrtime.bigint() - w1) / 1e9;
    console.log(`ort float32 threads=${threads} points=${ds.n} cpu=${c.toFixed(4)} wall=${w.toFixed(4)} points/cpu-s=${Math.round(ds.n / c)}`);
    y = parts;
  }
  if (out) fs.writeFileSync(out, Buffer.concat(y.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
  await sess.release();
}

main().catch((e) => { console.error('floatexact_ort_speed.js:', e.message || e); process.exit(1); });
