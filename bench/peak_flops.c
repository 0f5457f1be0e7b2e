/*
 * The machine's FP32 peak, measured: every thread runs independent AVX-512
 * FMA chains (enough to cover the FMA latency on two ports) from registers,
 * so nothing but the FMA units limits it.  The clock a VM does not expose
 * (turbo) is in the result.  Build and run:
 *   gcc -O2 -mavx512f -fopenmp bench/peak_flops.c -o /tmp/peak && /tmp/peak [threads]
 */
#include <immintrin.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#define CHAINS 16
#define ITERS 200000000L

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : omp_get_max_threads();
    double t0 = omp_get_wtime(), sink = 0;
#pragma omp parallel num_threads(threads) reduction(+ : sink)
    {
        __m512 acc[CHAINS], a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
        for (int i = 0; i < CHAINS; i++)
            acc[i] = _mm512_set1_ps((float)i);
        for (long it = 0; it < ITERS / CHAINS; it++)
            for (int i = 0; i < CHAINS; i++)
                acc[i] = _mm512_fmadd_ps(acc[i], a, b);
        for (int i = 0; i < CHAINS; i++)
            sink += _mm512_reduce_add_ps(acc[i]);
    }
    double s = omp_get_wtime() - t0;
    double flops = 2.0 * 16 * (double)(ITERS / CHAINS) * CHAINS * threads;
    printf("%d threads: %.1f GFLOP/s FP32 (AVX-512 FMA; checksum %g)\n", threads, flops / s / 1e9,
           sink);
    return 0;
}
