// The data loaders of the floatexact onnxruntime scripts (floatexact_ort.js,
// floatexact_ort_speed.js): loadData(path) reads an IDX image file (.gz or
// not; labels from the file named with "images" replaced by "labels") or a
// CSV (.csv or .csv.gz, last column the label, non-numeric rows skipped)
// into { n, d, x: Float32Array of n·d values, labels: strings }.
'use strict';
const fs = require('fs');
const zlib = require('zlib');

function read(path) {
  let buf = fs.readFileSync(path);
  if (path.endsWith('.gz')) buf = zlib.gunzipSync(buf);
  return buf;
}

function readIDX(path) {
  const b = read(path);
  const magic = b.readUInt32BE(0);
  const ndim = magic & 0xff;
  if ((magic >>> 8) !== 0x08) throw new Error(`${path}: not an unsigned-byte IDX file`);
  const dims = [];
  for (let k = 0; k < ndim; k++) dims.push(b.readUInt32BE(4 + 4 * k));
  return { dims, data: b.subarray(4 + 4 * ndim) };
}

function loadData(path) {
  const base = path.split('/').pop();
  if (base.includes('idx')) {
    const img = readIDX(path);
    const lab = readIDX(path.replace(/images/g, 'labels').replace('idx3', 'idx1'));
    const n = img.dims[0];
    const d = img.data.length / n;
    const x = new Float32Array(n * d);
    for (let i = 0; i < n * d; i++) x[i] = img.data[i];
    const labels = Array.from(lab.data.subarray(0, n), String);
    return { n, d, x, labels };
  }
  const rows = [], labels = [];
  for (const line of read(path).toString('utf8').split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const f = line.split(',');
    const v = f.slice(0, -1).map(Number);
    if (v.some((t, i) => f[i].trim() === '' || Number.isNaN(t))) continue;
    rows.push(v);
    labels.push(f[f.length - 1].trim());
  }
  const n = rows.length, d = rows[0].length;
  const x = new Float32Array(n * d);
  rows.forEach((r, i) => r.forEach((t, j) => { x[i * d + j] = t; }));
  return { n, d, x, labels };
}

module.exports = { loadData };
