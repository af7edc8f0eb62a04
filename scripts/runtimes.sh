# Sourced by scripts/export-integration.sh and scripts/floatexact-judge.sh
# (from the repository root, with $work a temporary directory and $NAME the
# script's name for messages): picks a python3 with NumPy (the default one,
# else Debian's /usr/bin/python3) as $PY, installs onnxruntime-node into
# $ORT_DIR (default ~/.cache/memnet-ort, version $ORT_VERSION) when missing
# and exports NODE_PATH, and builds memnet as $M.
ORT_DIR=${ORT_DIR:-$HOME/.cache/memnet-ort}
ORT_VERSION=${ORT_VERSION:-1.30.0}

PY=python3
if ! $PY -c 'import numpy' 2>/dev/null; then PY=/usr/bin/python3; fi
$PY -c 'import numpy' || { echo "$NAME: no python3 with numpy (apt-get install python3-numpy)"; exit 1; }

if ! NODE_PATH="$ORT_DIR/node_modules" node -e 'require("onnxruntime-node")' 2>/dev/null; then
  mkdir -p "$ORT_DIR"
  (cd "$ORT_DIR" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error "onnxruntime-node@$ORT_VERSION" >/dev/null)
fi
export NODE_PATH="$ORT_DIR/node_modules"

go build -o "$work/memnet" ./cmd/memnet
M="$work/memnet"
