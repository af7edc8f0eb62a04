// Runs an ONNX model in onnxruntime-node on inputs given as JSON
// {"shape": [1, ...], "rows": [[...], ...]} (each row one run of the given
// shape, float32) and prints {"runtime": version, "outputs": [[...], ...]}.
// Used by scripts/importcheck. NODE_PATH must reach onnxruntime-node.
'use strict';
const fs = require('fs');
const zlib = require('zlib');
const ort = require('onnxruntime-node');

async function main() {
  const [model, inputs] = process.argv.slice(2);
  let buf = fs.readFileSync(model);
  if (model.endsWith('.gz')) buf = zlib.gunzipSync(buf);
  const spec = JSON.parse(fs.readFileSync(inputs, 'utf8'));
  const sess = await ort.InferenceSession.create(buf, { executionProviders: ['cpu'] });
  const outputs = [];
  for (const row of spec.rows) {
    const res = await sess.run({ [sess.inputNames[0]]: new ort.Tensor('float32', Float32Array.from(row), spec.shape) });
    outputs.push(Array.from(res[sess.outputNames[0]].data, Number));
  }
  process.stdout.write(JSON.stringify({ runtime: ort.env.versions.common, outputs }));
}

main().catch((e) => { console.error('import_ort.js:', e.message || e); process.exit(1); });
