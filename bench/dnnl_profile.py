#!/usr/bin/env python3
"""Where oneDNN's time goes: aggregate a DNNL_VERBOSE=1 log by primitive.

    DNNL_VERBOSE=1 build/memae bench --backend dnnl ... > log.txt
    python3 bench/dnnl_profile.py log.txt [--peak-gflops G]

Prints, per primitive kind and shape, the calls, total milliseconds and,
for convolutions, GFLOP/s and the fraction of the machine's peak FP32 rate
(--peak-gflops, as bench/peak_flops.c measures it; by default cores x the
nominal GHz of /proc/cpuinfo x 64 FLOP/cycle, two 16-lane AVX-512 FMA units,
which a VM's turbo clock can exceed).
The first call of each primitive (JIT warm-up, page faults) is left out.
"""
import argparse
import collections
import os
import re


def conv_flops(desc):
    d = {k: int(v) for k, v in re.findall(r"([a-z]+)(\d+)", desc)}
    mb, ic, oc = d.get("mb", 1), d["ic"], d["oc"]
    od, oh, ow = d.get("od", 1), d.get("oh", 1), d.get("ow", 1)
    kd, kh, kw = d.get("kd", 1), d.get("kh", 1), d.get("kw", 1)
    g = d.get("g", 1)
    return 2.0 * mb * oc * (ic // g) * od * oh * ow * kd * kh * kw


def default_peak():
    ghz = 0.0
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("cpu MHz"):
                    ghz = float(line.split(":")[1]) / 1000.0
                    break
    except OSError:
        pass
    return (os.cpu_count() or 1) * (ghz or 2.0) * 64.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--peak-gflops", type=float, default=None)
    a = ap.parse_args()
    peak = a.peak_gflops or default_peak()
    seen = set()
    tot = collections.defaultdict(lambda: [0, 0.0, 0.0])
    with open(a.log) as f:
        for line in f:
            p = line.rstrip("\n").split(",")
            if len(p) < 11 or p[1] != "exec":
                continue
            kind, impl, prop, mds, desc, ms = p[3], p[4], p[5], p[6], p[9], float(p[10])
            key = (kind, impl, prop, desc if kind != "reorder" else mds.split()[0][:40] + ".." + desc)
            if key not in seen:
                seen.add(key)
                continue
            t = tot[key]
            t[0] += 1
            t[1] += ms
            if kind in ("convolution", "deconvolution"):
                t[2] += conv_flops(desc)
    all_ms = sum(v[1] for v in tot.values()) or 1.0
    by_kind = collections.defaultdict(float)
    for k, v in tot.items():
        by_kind[k[0]] += v[1]
    print(f"peak FP32: {peak:.0f} GFLOP/s")
    print("by kind: " + ", ".join(f"{k} {v / all_ms:.1%}" for k, v in
                                   sorted(by_kind.items(), key=lambda kv: -kv[1])))
    conv_ms = sum(v[1] for k, v in tot.items() if k[0] in ("convolution", "deconvolution"))
    conv_fl = sum(v[2] for v in tot.values())
    if conv_ms:
        rate = conv_fl / conv_ms / 1e6
        print(f"convolutions: {conv_fl / 1e9:.1f} GFLOP in {conv_ms:.0f} ms = {rate:.0f} GFLOP/s"
              f" = {rate / peak:.1%} of peak")
    print(f"{'ms':>9} {'calls':>5} {'GFLOP/s':>8}  primitive")
    for k, v in sorted(tot.items(), key=lambda kv: -kv[1][1])[:25]:
        rate = f"{v[2] / v[1] / 1e6:8.0f}" if v[2] else " " * 8
        print(f"{v[1]:9.1f} {v[0]:5d} {rate}  {k[0]} {k[2]} {k[1]} {k[3][:90]}")


if __name__ == "__main__":
    main()
