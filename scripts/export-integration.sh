#!/usr/bin/env bash
# Integration test of `memnet export` against independent runtimes: HZ networks
# for iris and digits are exported to ONNX (float64, float32) and run in
# onnxruntime (npm package onnxruntime-node, installed with --ignore-scripts:
# the CPU library ships inside the package), and to .npz / safetensors run
# through NumPy; every run must give the labels `memnet predict` gives.
#
# A float export the float verdict refuses (some point would change its
# prediction in that dtype) is checked to be refused, then written with
# --force and run anyway: the runtime's disagreements with `memnet predict`
# are reported, and must be few (no more than twice the verdict's count).
#
# Needs: go, node + npm, python3 with numpy (Debian python3-numpy), and
# ../shared/data beside the repository. ORT_DIR (default ~/.cache/memnet-ort)
# holds onnxruntime-node; it is installed there when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${MEMNET_DATA:-../shared/data}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -f "$DATA/iris.csv" ]; then echo "export-integration: $DATA/iris.csv not found"; exit 1; fi

NAME=export-integration
. scripts/runtimes.sh
pass=0 fail=0
check() { # name, expected labels file, got labels file, allowed mismatches
  local diffs
  diffs=$(paste -d' ' "$2" "$3" | awk '$1 != $2' | wc -l)
  if [ "$(wc -l <"$2")" -ne "$(wc -l <"$3")" ]; then diffs=999999; fi
  if [ "$diffs" -le "$4" ]; then
    echo "ok   $1: $(wc -l <"$3") rows, $diffs differ from memnet predict (allowed $4)"; pass=$((pass+1))
  else
    echo "FAIL $1: $diffs rows differ from memnet predict (allowed $4)"; fail=$((fail+1))
  fi
}

for ds in iris.csv digits.csv.gz; do
  name=${ds%%.*}
  data="$DATA/$ds"
  net="$work/$name.mnet"
  "$M" build --method hz --data "$data" -o "$net" >/dev/null 2>&1
  "$M" predict "$net" --data "$data" >"$work/$name.pred" 2>/dev/null
  "$M" inspect "$net" --json | $PY -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["labels"]))' >"$work/$name.labels"
  for dt in float64 float32; do
    for fmt in onnx npz safetensors; do
      out="$work/$name-$dt.$fmt"
      allowed=0
      if ! "$M" export "$net" --format "$fmt" --dtype "$dt" --data "$data" -o "$out" --json >"$work/verdict.json" 2>"$work/err"; then
        if ! grep -q "export refused" "$work/err"; then cat "$work/err"; echo "FAIL $name $dt $fmt: export failed"; fail=$((fail+1)); continue; fi
        changed=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["verdict"]["changed"])' "$work/verdict.json")
        echo "note $name $dt $fmt: refused by the float verdict ($changed points change in $dt); exporting with --force"
        "$M" export "$net" --format "$fmt" --dtype "$dt" --force -o "$out" >/dev/null
        allowed=$((2 * changed))
      fi
      if [ "$fmt" = onnx ]; then
        node scripts/export_ort.js "$out" "$data" "$dt" "$work/$name.labels" >"$work/got" 2>"$work/runtime"
      else
        $PY scripts/export_npz.py "$out" "$data" >"$work/got" 2>"$work/runtime"
      fi
      sed 's/^/     /' "$work/runtime"
      check "$name $dt $fmt" "$work/$name.pred" "$work/got" "$allowed"
    done
  done
done

# exact JSON: export, import, verify exactly (a Vardi network, whose weights
# float64 cannot hold, must be refused for ONNX)
"$M" build --method vardi --data "$DATA/digits.csv.gz" -o "$work/vardi.mnet" >/dev/null 2>&1
if "$M" export "$work/vardi.mnet" --format onnx --data "$DATA/digits.csv.gz" -o "$work/vardi.onnx" 2>"$work/err"; then
  echo "FAIL vardi: ONNX export was not refused"; fail=$((fail+1))
else
  echo "ok   vardi onnx refused: $(cut -c1-160 "$work/err")..."; pass=$((pass+1))
fi
"$M" export "$work/vardi.mnet" --format json -o "$work/vardi.json" >/dev/null
"$M" import "$work/vardi.json" -o "$work/vardi-back.mnet" >/dev/null
if "$M" verify "$work/vardi-back.mnet" --data "$DATA/digits.csv.gz" >"$work/v" 2>&1 && grep -q '^EXACT' "$work/v"; then
  echo "ok   vardi json -> import -> verify: $(head -1 "$work/v")"; pass=$((pass+1))
else
  cat "$work/v"; echo "FAIL vardi json round trip"; fail=$((fail+1))
fi
# ONNX float64 -> import -> verify exactly (the imported weights are the float64 ones)
"$M" import "$work/digits-float64.onnx" -o "$work/digits-back.mnet" >/dev/null
if "$M" verify "$work/digits-back.mnet" --data "$DATA/digits.csv.gz" >"$work/v" 2>&1; then
  echo "ok   digits onnx float64 -> import -> verify: $(head -1 "$work/v")"; pass=$((pass+1))
else
  cat "$work/v"; echo "FAIL digits onnx import"; fail=$((fail+1))
fi

# A coordinate no neuron reads but that float32 cannot hold (1e39 becomes
# +Inf, and every framework's Gemm multiplies it by its zero weight: NaN):
# verify must not certify float32, its float32 count must be what
# onnxruntime and NumPy float32 get right (none), and float64 (which holds
# 1e39) must be certified and reproduce every label.
cat >"$work/inf.json" <<'JSON'
{"format": "memnet-exact-json", "version": 1, "method": "hand", "input_dim": 2, "classes": ["0","1","2","3"],
 "layers": [{"activation": "relu", "W": [["1", "0"]], "b": ["0"]}, {"activation": "identity", "W": [["1"]], "b": ["0"]}]}
JSON
printf 'a,b,label\n0,1e39,0\n1,1e39,1\n2,1e39,2\n3,1e39,3\n' >"$work/inf.csv"
"$M" import "$work/inf.json" -o "$work/inf.mnet" >/dev/null
"$M" verify "$work/inf.mnet" --data "$work/inf.csv" --json >"$work/inf-verdict.json" 2>/dev/null || true
read -r c32 p32 p64 <<<"$($PY -c 'import json,sys; v=json.load(open(sys.argv[1])); c={c["format"]: c["proven"] for c in v["float_certificates"]}; print(v["float32_correct"], c.get("float32"), c.get("float64"))' "$work/inf-verdict.json")"
for dt in float32 float64; do
  "$M" export "$work/inf.mnet" --format onnx --dtype "$dt" --force -o "$work/inf-$dt.onnx" >/dev/null
  "$M" export "$work/inf.mnet" --format npz --dtype "$dt" --force -o "$work/inf-$dt.npz" >/dev/null
  node scripts/export_ort.js "$work/inf-$dt.onnx" "$work/inf.csv" "$dt" <(echo '["0","1","2","3"]') >"$work/inf-ort-$dt" 2>/dev/null
  $PY scripts/export_npz.py "$work/inf-$dt.npz" "$work/inf.csv" >"$work/inf-np-$dt" 2>/dev/null
done
ort32=$(paste -d' ' <(printf '0\n1\n2\n3\n') "$work/inf-ort-float32" | awk '$1 == $2' | wc -l)
np32=$(paste -d' ' <(printf '0\n1\n2\n3\n') "$work/inf-np-float32" | awk '$1 == $2' | wc -l)
ort64=$(paste -d' ' <(printf '0\n1\n2\n3\n') "$work/inf-ort-float64" | awk '$1 == $2' | wc -l)
if [ "$p32" = False ] && [ "$p64" = True ] && [ "$c32" = "$ort32" ] && [ "$c32" = "$np32" ] && [ "$ort64" = 4 ]; then
  echo "ok   1e39 in an unread column: float32 not certified, verify's float32 count $c32 = onnxruntime $ort32 = NumPy $np32; float64 certified, onnxruntime $ort64/4"; pass=$((pass+1))
else
  echo "FAIL 1e39 in an unread column: float32 certified $p32 (want False), float64 $p64 (want True); float32 correct: verify $c32, onnxruntime $ort32, NumPy $np32; float64 onnxruntime $ort64/4"; fail=$((fail+1))
fi

echo "export-integration: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
