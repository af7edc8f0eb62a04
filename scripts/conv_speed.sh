#!/bin/sh
# CPU seconds of one SGD epoch (512 random 7×7 images, batch 64, momentum
# 0.9, float32) of memnet's convolutional residual network
# (BenchmarkConvEpoch, which reports the process's CPU-s per epoch after one
# warm-up epoch) against PyTorch's Conv2d on the same shapes
# (scripts/conv_speed.py, also after one warm-up epoch), one thread each,
# the two sides alternating, ROUNDS rounds (the machine is shared). Not a
# test. Needs python3-torch (Debian).
set -e
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
go test -c -o /tmp/conv_speed.bench ./train
for round in $(seq "$rounds"); do
	for cb in "16 1" "8 4" "4 16"; do
		set -- $cb
		GOMAXPROCS=1 /tmp/conv_speed.bench -test.run '^$' -test.bench "ConvEpoch/c$1-b$2\$" -test.benchtime 5x |
			awk -v c="$1" -v b="$2" '/CPU-s\/op/ { print "memnet c=" c " b=" b ": " $(NF-1) " CPU-s per epoch" }'
		OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 scripts/conv_speed.py --c "$1" --b "$2" --threads 1
	done
done
rm -f /tmp/conv_speed.bench
