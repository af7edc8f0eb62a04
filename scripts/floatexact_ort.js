// Judges a float-exact ONNX network exported by `memnet export --dtype
// float32` in onnxruntime-node: runs every point with graph optimization at
// its default (all) and disabled, and checks that every output row is
// exactly the one-hot vector of the point's label (argmax outputs) or
// exactly the label's class index (one output).
//
// usage: node floatexact_ort.js MODEL.onnx DATA
// DATA is a CSV (.csv or .csv.gz, last column the label, non-numeric rows
// skipped) or an IDX image file (.gz or not) with its labels in the file
// named with "images" replaced by "labels". NODE_PATH must reach
// onnxruntime-node. Exit status 0 only if every point is exact in both runs.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');
const { loadData } = require('./floatexact_data.js');

async function judge(model, ds, classes, level) {
  const sess = await ort.InferenceSession.create(model, { executionProviders: ['cpu'], graphOptimizationLevel: level });
  let exact = 0, right = 0;
  const bad = [];
  const batch = 4096;
  for (let lo = 0; lo < ds.n; lo += batch) {
    const hi = Math.min(ds.n, lo + batch);
    const res = await sess.run({ x: new ort.Tensor('float32', ds.x.subarray(lo * ds.d, hi * ds.d), [hi - lo, ds.d]) });
    const y = res.y, out = y.dims[1];
    for (let i = lo; i < hi; i++) {
      const o = y.data.subarray((i - lo) * out, (i - lo + 1) * out);
      const want = classes.indexOf(ds.labels[i]);
      let ok = true, best = 0;
      for (let j = 0; j < out; j++) {
        if (o[j] > o[best]) best = j;
        const w = out === 1 ? want : (j === want ? 1 : 0);
        if (o[j] !== w) ok = false;
      }
      const got = out === 1 ? Math.round(o[0]) : best;
      if (got === want) right++;
      if (ok) exact++; else if (bad.length < 5) bad.push(i + 1);
    }
  }
  return { exact, right, bad };
}

async function main() {
  const [model, data] = process.argv.slice(2);
  const ds = loadData(data);
  // the class labels: the model's metadata_props entry memnet.classes (a
  // JSON list), found in the file's bytes
  const raw = fs.readFileSync(model).toString('latin1');
  const k = raw.indexOf('memnet.classes');
  const m = raw.slice(k).match(/\[[^\]]*\]/);
  const classes = JSON.parse(m[0]);
  let fail = 0;
  for (const level of ['all', 'disabled']) {
    const r = await judge(model, ds, classes, level);
    const ok = r.exact === ds.n;
    if (!ok) fail++;
    console.log(`${ok ? 'ok  ' : 'FAIL'} onnxruntime-node ${ort.env.versions.common} float32, graph optimization ${level}: ${r.right}/${ds.n} labels right, ${r.exact}/${ds.n} outputs exactly the label's one-hot${r.bad.length ? ' (first inexact rows ' + r.bad.join(', ') + ')' : ''}`);
  }
  process.exit(fail ? 1 : 0);
}

main().catch((e) => { console.error('floatexact_ort.js:', e.message || e); process.exit(1); });
