#!/bin/sh
# CPU seconds of one SGD epoch (512 random 7×7 images, batch 64, float32) of
# memnet's convolutional residual network (BenchmarkConvEpoch, which also
# evaluates the 512 images once at the end) against PyTorch's Conv2d on the
# same shapes (scripts/conv_speed.py), one thread each, in alternating runs
# (the machine is shared). Not a test. Needs python3-torch (Debian).
set -e
cd "$(dirname "$0")/.."
go test -c -o /tmp/train.bench ./train
for round in 1 2 3; do
	for cb in "16 1" "8 4" "4 16"; do
		set -- $cb
		/usr/bin/time -f "go c=$1 b=$2: %U+%S CPU-s for the whole benchmark run" \
			env GOMAXPROCS=1 /tmp/train.bench -test.run '^$' -test.bench "ConvEpoch/c$1-b$2\$" -test.benchtime 3x 2>&1 | grep -E 'ns/op|CPU-s'
		OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 scripts/conv_speed.py --c "$1" --b "$2" --threads 1
	done
done
