#!/usr/bin/env python3
"""Generates internal/gemm/gemm_amd64.s, the AVX2+FMA micro-kernels of the
GEMM (float32 6x16 and float64 6x8: the same code with PS/PD instructions),
and with the argument seq internal/gemm/seq_amd64.s, the unfused strip
kernels of the float views.

usage: python3 scripts/gemm_asm.py > internal/gemm/gemm_amd64.s
       python3 scripts/gemm_asm.py seq > internal/gemm/seq_amd64.s
"""

import sys


def kern(name, suf, bcast, goty, elt, label):
    astride, bstride = 6 * elt, 64
    out = [f"// func {name}(k int, a, b, c *{goty}, ldc int)",
           f"TEXT ·{name}(SB), NOSPLIT, $0-40",
           "\tMOVQ k+0(FP), CX", "\tMOVQ a+8(FP), SI", "\tMOVQ b+16(FP), DI",
           "\tMOVQ c+24(FP), DX", "\tMOVQ ldc+32(FP), R8",
           f"\tSHLQ ${2 if elt == 4 else 3}, R8"]
    out += [f"\tVXORP{suf} Y{r}, Y{r}, Y{r}" for r in range(4, 16)]
    out += [f"{label}:", f"\tVMOVUP{suf} (DI), Y0", f"\tVMOVUP{suf} 32(DI), Y1"]
    for i in range(6):
        br = 2 + i % 2
        out += [f"\t{bcast} {i * elt}(SI), Y{br}",
                f"\tVFMADD231P{suf} Y0, Y{br}, Y{4 + 2 * i}",
                f"\tVFMADD231P{suf} Y1, Y{br}, Y{5 + 2 * i}"]
    out += [f"\tADDQ ${astride}, SI", f"\tADDQ ${bstride}, DI", "\tDECQ CX", f"\tJNE {label}"]
    for i in range(6):
        lo, hi = 4 + 2 * i, 5 + 2 * i
        out += [f"\tVADDP{suf} (DX), Y{lo}, Y{lo}", f"\tVMOVUP{suf} Y{lo}, (DX)",
                f"\tVADDP{suf} 32(DX), Y{hi}, Y{hi}", f"\tVMOVUP{suf} Y{hi}, 32(DX)"]
        if i < 5:
            out.append("\tADDQ R8, DX")
    out += ["\tVZEROUPPER", "\tRET", ""]
    return "\n".join(out)




def seq6(name, suf, bcast, goty, elt, label):
    """6-row strip kernel of the float views over ntiles consecutive row
    strips: no FMA, each accumulator starts at the bias (broadcast) or at c,
    products rounded before the add."""
    sh = 2 if elt == 4 else 3
    out = [f"// func {name}(k int, a *{goty}, astride int, b, c *{goty}, ldc int, bias *{goty}, relu, ntiles int)",
           f"TEXT ·{name}(SB), NOSPLIT, $0-72",
           "\tMOVQ a+8(FP), R11", "\tMOVQ astride+16(FP), R13", f"\tSHLQ ${sh}, R13",
           "\tMOVQ b+24(FP), R12", "\tMOVQ c+32(FP), DX", "\tMOVQ ldc+40(FP), R8",
           f"\tSHLQ ${sh}, R8", "\tMOVQ bias+48(FP), AX", "\tMOVQ ntiles+64(FP), R10",
           f"{label}t:", "\tMOVQ k+0(FP), CX", "\tMOVQ R11, SI", "\tMOVQ R12, DI",
           "\tMOVQ DX, R9", "\tTESTQ AX, AX", f"\tJEQ {label}c"]
    for i in range(6):
        out += [f"\t{bcast} {i * elt}(AX), Y{4 + 2 * i}", f"\tVMOVAP{suf} Y{4 + 2 * i}, Y{5 + 2 * i}"]
    out += [f"\tADDQ ${6 * elt}, AX", f"\tJMP {label}k", f"{label}c:"]
    for i in range(6):
        out += [f"\tVMOVUP{suf} (R9), Y{4 + 2 * i}", f"\tVMOVUP{suf} 32(R9), Y{5 + 2 * i}"]
        if i < 5:
            out.append("\tADDQ R8, R9")
    out += [f"{label}k:", "\tTESTQ CX, CX", f"\tJEQ {label}r", f"{label}:",
            f"\tVMOVUP{suf} (DI), Y0", f"\tVMOVUP{suf} 32(DI), Y1"]
    for i in range(6):
        out += [f"\t{bcast} {i * elt}(SI), Y2",
                f"\tVMULP{suf} Y0, Y2, Y3", f"\tVADDP{suf} Y3, Y{4 + 2 * i}, Y{4 + 2 * i}",
                f"\tVMULP{suf} Y1, Y2, Y3", f"\tVADDP{suf} Y3, Y{5 + 2 * i}, Y{5 + 2 * i}"]
    out += [f"\tADDQ ${6 * elt}, SI", "\tADDQ $64, DI", "\tDECQ CX", f"\tJNE {label}",
            f"{label}r:", "\tMOVQ relu+56(FP), BX", "\tTESTQ BX, BX", f"\tJEQ {label}s",
            f"\tVXORP{suf} Y2, Y2, Y2"]
    # max(0, v) with the zero as first source: NaN and −0 pass, as v < 0 ? 0 : v
    out += [f"\tVMAXP{suf} Y{r}, Y2, Y{r}" for r in range(4, 16)]
    out.append(f"{label}s:")
    for i in range(6):
        out += [f"\tVMOVUP{suf} Y{4 + 2 * i}, (DX)", f"\tVMOVUP{suf} Y{5 + 2 * i}, 32(DX)",
                "\tADDQ R8, DX"]
    out += ["\tADDQ R13, R11", "\tDECQ R10", f"\tJNE {label}t", "\tVZEROUPPER", "\tRET", ""]
    return "\n".join(out)


def seq1(name, suf, bcast, goty, elt, label):
    """One-row kernel of the float views over four strips (bstride, cstride
    elements apart): no FMA, sums from the bias or from c."""
    sh = 2 if elt == 4 else 3
    ptrs = ["DI", "R9", "R10", "R11"]
    cp = ["DX", "R12", "R13", "BX"]
    out = [f"// func {name}(k int, a, b *{goty}, bstride int, c *{goty}, cstride int, bias *{goty}, relu int)",
           f"TEXT ·{name}(SB), NOSPLIT, $0-64",
           "\tMOVQ k+0(FP), CX", "\tMOVQ a+8(FP), SI", "\tMOVQ b+16(FP), DI",
           "\tMOVQ bstride+24(FP), R8", f"\tSHLQ ${sh}, R8",
           "\tLEAQ (DI)(R8*1), R9", "\tLEAQ (R9)(R8*1), R10", "\tLEAQ (R10)(R8*1), R11",
           "\tMOVQ c+32(FP), DX", "\tMOVQ cstride+40(FP), R8", f"\tSHLQ ${sh}, R8",
           "\tLEAQ (DX)(R8*1), R12", "\tLEAQ (R12)(R8*1), R13", "\tLEAQ (R13)(R8*1), BX",
           "\tMOVQ bias+48(FP), AX", "\tTESTQ AX, AX", f"\tJEQ {label}c",
           f"\t{bcast} (AX), Y8"]
    out += [f"\tVMOVAP{suf} Y8, Y{r}" for r in range(9, 16)]
    out += [f"\tJMP {label}k", f"{label}c:"]
    for s in range(4):
        out += [f"\tVMOVUP{suf} ({cp[s]}), Y{8 + 2 * s}", f"\tVMOVUP{suf} 32({cp[s]}), Y{9 + 2 * s}"]
    out += [f"{label}k:", "\tTESTQ CX, CX", f"\tJEQ {label}r", f"{label}:", f"\t{bcast} (SI), Y0"]
    for s in range(4):
        t0, t1 = 1 + 2 * (s % 2), 2 + 2 * (s % 2)
        out += [f"\tVMULP{suf} ({ptrs[s]}), Y0, Y{t0}", f"\tVADDP{suf} Y{t0}, Y{8 + 2 * s}, Y{8 + 2 * s}",
                f"\tVMULP{suf} 32({ptrs[s]}), Y0, Y{t1}", f"\tVADDP{suf} Y{t1}, Y{9 + 2 * s}, Y{9 + 2 * s}"]
    out += [f"\tADDQ ${elt}, SI"] + [f"\tADDQ $64, {p}" for p in ptrs]
    out += ["\tDECQ CX", f"\tJNE {label}",
            f"{label}r:", "\tMOVQ relu+56(FP), AX", "\tTESTQ AX, AX", f"\tJEQ {label}s",
            f"\tVXORP{suf} Y2, Y2, Y2"]
    out += [f"\tVMAXP{suf} Y{r}, Y2, Y{r}" for r in range(8, 16)]
    out.append(f"{label}s:")
    for s in range(4):
        out += [f"\tVMOVUP{suf} Y{8 + 2 * s}, ({cp[s]})", f"\tVMOVUP{suf} Y{9 + 2 * s}, 32({cp[s]})"]
    out += ["\tVZEROUPPER", "\tRET", ""]
    return "\n".join(out)


def sparse(name, suf, bcast, goty, elt, label):
    """Sparse-row kernel of the float views: n points (a multiple of the
    chunk, four registers) of one neuron, z = act(bias + sum of F(w_t h_t))
    over its terms in order, no FMA; returns whether an output is
    non-finite."""
    sh = 2 if elt == 4 else 3
    tstride = 8 if elt == 4 else 16
    chunk = 4 * 32 // elt
    out = [f"// func {name}(n int, terms *Term[{goty}], nt int, h *{goty}, ldh int, z *{goty}, bias *{goty}, relu int) (nonFinite int)",
           f"TEXT ·{name}(SB), NOSPLIT, $0-72",
           "\tMOVQ n+0(FP), CX", "\tMOVQ h+24(FP), DI", "\tMOVQ ldh+32(FP), R8", f"\tSHLQ ${sh}, R8",
           "\tMOVQ z+40(FP), DX", "\tMOVQ bias+48(FP), BX", "\tMOVQ relu+56(FP), R11",
           f"\tVXORP{suf} Y8, Y8, Y8", f"\tVXORP{suf} Y9, Y9, Y9",
           f"{label}c:", f"\t{bcast} (BX), Y4", f"\tVMOVAP{suf} Y4, Y5", f"\tVMOVAP{suf} Y4, Y6",
           f"\tVMOVAP{suf} Y4, Y7", "\tMOVQ terms+8(FP), SI", "\tMOVQ nt+16(FP), R10",
           f"{label}t:", "\tMOVLQSX (SI), AX", "\tIMULQ R8, AX", "\tADDQ DI, AX",
           f"\t{bcast} {elt if elt == 8 else 4}(SI), Y0"]
    for r in range(4):
        t = 1 + r % 2
        out += [f"\tVMULP{suf} {32 * r}(AX), Y0, Y{t}", f"\tVADDP{suf} Y{t}, Y{4 + r}, Y{4 + r}"]
    out += [f"\tADDQ ${tstride}, SI", "\tDECQ R10", f"\tJNE {label}t",
            "\tTESTQ R11, R11", f"\tJEQ {label}s"]
    out += [f"\tVMAXP{suf} Y{4 + r}, Y9, Y{4 + r}" for r in range(4)]
    out.append(f"{label}s:")
    for r in range(4):
        # v − v is 0 for finite v and NaN otherwise; the NaN sticks in Y8
        out += [f"\tVSUBP{suf} Y{4 + r}, Y{4 + r}, Y1", f"\tVADDP{suf} Y1, Y8, Y8",
                f"\tVMOVUP{suf} Y{4 + r}, {32 * r}(DX)"]
    out += ["\tADDQ $128, DI", "\tADDQ $128, DX", f"\tSUBQ ${chunk}, CX", f"\tJNE {label}c",
            f"\tVCMPP{suf} $3, Y8, Y8, Y8", f"\tVMOVMSKP{suf} Y8, AX", "\tMOVQ AX, nonFinite+64(FP)",
            "\tVZEROUPPER", "\tRET", ""]
    return "\n".join(out)


def seq_file():
    print("// Code generated by scripts/gemm_asm.py seq. DO NOT EDIT.\n")
    print('#include "textflag.h"\n')
    print("// AVX2 strip kernels of the float views (seq.go): every product is rounded\n"
          "// (VMULP) before it is added (VADDP) to an accumulator that starts at the\n"
          "// bias or at c, in depth order, so each lane computes the scalar sum\n"
          "// s = b; s += F(w·h) ... bit for bit. No FMA.\n")
    print(seq6("sseq6x16", "S", "VBROADCASTSS", "float32", 4, "s6loop"))
    print(seq6("dseq6x8", "D", "VBROADCASTSD", "float64", 8, "d6loop"))
    print(seq1("sseq1x4", "S", "VBROADCASTSS", "float32", 4, "s1loop"))
    print(seq1("dseq1x4", "D", "VBROADCASTSD", "float64", 8, "d1loop"))
    print(sparse("ssparse", "S", "VBROADCASTSS", "float32", 4, "spl"))
    print(sparse("dsparse", "D", "VBROADCASTSD", "float64", 8, "dpl"))


def gemm_file():
    print("// Code generated by scripts/gemm_asm.py. DO NOT EDIT.\n")
    print('#include "textflag.h"\n')
    print("// AVX2+FMA micro-kernels of gemm (gemm_amd64.go): twelve ymm accumulators\n"
          "// hold the tile; each depth step loads one row of the b strip (two ymm) and\n"
          "// broadcasts the six values of the a strip. k must be at least 1.\n")
    print(kern("sgemm6x16", "S", "VBROADCASTSS", "float32", 4, "sloop"))
    print(kern("dgemm6x8", "D", "VBROADCASTSD", "float64", 8, "dloop"))



if len(sys.argv) > 1 and sys.argv[1] == "seq":
    seq_file()
else:
    gemm_file()
