// Prints the accuracy onnxruntime reports for an ONNX classifier on a CSV
// (label last, header rows skipped) whose features are multiplied by SCALE
// in float32 first: the float32 figure `memnet verify` prints beside the
// exact one for an imported classifier with --input-scale SCALE.
//
// usage: node ort_accuracy.js MODEL.onnx DATA.csv[.gz] SCALE DIM1,DIM2,...   (the shape after the batch)
// NODE_PATH must reach onnxruntime-node.
'use strict';
const fs = require('fs');
const zlib = require('zlib');
const ort = require('onnxruntime-node');

async function main() {
  const [model, data, scale, dims] = process.argv.slice(2);
  let buf = fs.readFileSync(data);
  if (data.endsWith('.gz')) buf = zlib.gunzipSync(buf);
  const rows = [], labels = [];
  for (const line of buf.toString('utf8').split(/\r?\n/)) {
    const f = line.split(',');
    const x = f.slice(0, -1).map(Number);
    if (line.trim() === '' || x.some(Number.isNaN)) continue;
    rows.push(x);
    labels.push(f[f.length - 1].trim());
  }
  const s = Math.fround(Number(scale));
  const shape = [1, ...dims.split(',').map(Number)];
  const sess = await ort.InferenceSession.create(model, { executionProviders: ['cpu'] });
  let correct = 0;
  for (let i = 0; i < rows.length; i++) {
    const x = Float32Array.from(rows[i], (v) => Math.fround(v) * s); // float32 product, rounded to float32
    const o = (await sess.run({ [sess.inputNames[0]]: new ort.Tensor('float32', x, shape) }))[sess.outputNames[0]].data;
    let best = 0;
    for (let j = 1; j < o.length; j++) if (o[j] > o[best]) best = j;
    let unique = true;
    for (let j = 0; j < o.length; j++) if (j !== best && !(o[j] < o[best])) unique = false;
    if (unique && String(best) === labels[i]) correct++;
  }
  console.log(`onnxruntime-node ${ort.env.versions.common}: ${correct}/${rows.length} correct`);
}

main().catch((e) => { console.error('ort_accuracy.js:', e.message || e); process.exit(1); });
