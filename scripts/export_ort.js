// Runs an ONNX network exported by `memnet export` in onnxruntime-node and
// prints, one per line, the label its output stands for on every data row
// ("?" for none), by the rule memnet uses (one output: the class index it
// rounds to, an exact half standing for none; several: the strictly largest).
//
// usage: node export_ort.js MODEL.onnx DATA.csv[.gz] float64|float32 LABELS.json
// The CSV's last column is the label; rows with a non-numeric field (a
// header) are skipped. NODE_PATH must reach onnxruntime-node.
'use strict';
const fs = require('fs');
const zlib = require('zlib');
const ort = require('onnxruntime-node');

function readRows(path) {
  let buf = fs.readFileSync(path);
  if (path.endsWith('.gz')) buf = zlib.gunzipSync(buf);
  const rows = [];
  for (const line of buf.toString('utf8').split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const f = line.split(',');
    const x = f.slice(0, -1).map(Number);
    if (x.some((v, i) => f[i].trim() === '' || Number.isNaN(v))) continue;
    rows.push(x);
  }
  return rows;
}

function classOf(o, m) {
  if (o.length === 1) {
    const f = o[0];
    if (!Number.isFinite(f)) return -1;
    const k = Math.floor(f + 0.5);
    if (f === k - 0.5 || k < 0 || k >= m) return -1;
    return k;
  }
  let best = 0;
  for (let j = 1; j < o.length; j++) if (o[j] > o[best]) best = j;
  for (let j = 0; j < o.length; j++) if (j !== best && !(o[j] < o[best])) return -1;
  return best < m ? best : -1;
}

async function main() {
  const [model, data, dtype, labelsFile] = process.argv.slice(2);
  const labels = JSON.parse(fs.readFileSync(labelsFile, 'utf8'));
  const rows = readRows(data);
  const n = rows.length, d = rows[0].length;
  const arr = dtype === 'float32' ? new Float32Array(n * d) : new Float64Array(n * d);
  rows.forEach((r, i) => r.forEach((v, j) => { arr[i * d + j] = v; }));
  const sess = await ort.InferenceSession.create(model, { executionProviders: ['cpu'] });
  const res = await sess.run({ x: new ort.Tensor(dtype, arr, [n, d]) });
  const y = res.y;
  const out = y.dims[1];
  const lines = [];
  for (let i = 0; i < n; i++) {
    const o = Array.from(y.data.slice(i * out, (i + 1) * out), Number);
    const k = classOf(o, labels.length);
    lines.push(k < 0 ? '?' : labels[k]);
  }
  process.stdout.write(lines.join('\n') + '\n');
  console.error(`onnxruntime-node ${ort.env.versions.common}: ${model} (${y.type}) ${n} rows, ${sess.inputNames} -> ${sess.outputNames} [${y.dims}]`);
}

main().catch((e) => { console.error('export_ort.js:', e.message || e); process.exit(1); });
