/*
 * Reference matrix product, row-major, C = alpha op(A) op(B) + beta C.
 * Blocked as BLIS does (pack a KC x NC panel of B and an MC x KC block of
 * A, then MR x NR register tiles) in plain C that compilers vectorise.  The
 * panels live in the caller's scratch, of a fixed size, so a step allocates
 * nothing.
 * Every element of C sees the same sequence of operations whatever the
 * thread count, so results are bitwise reproducible.
 */
#include <stdlib.h>
#include <string.h>

#include "backend/ref.h"

#define MR 4
#define NR 32
#define MC 256
#define KC 256
#define NC 2048
_Static_assert((size_t)(MC + NC) * KC == MEMAE_REF_GEMM_SCRATCH, "scratch of the panels");

static float at(const float *a, int lda, int t, int i, int p)
{
    return t ? a[(size_t)p * lda + i] : a[(size_t)i * lda + p];
}

/* A[i0.., p0..] as MR-row panels: ap[panel][p][r], zero-padded. */
static void pack_a(const float *a, int lda, int ta, int i0, int m, int p0, int kc, float alpha,
                   float *ap, int threads)
{
    int panels = (m + MR - 1) / MR;
#pragma omp parallel for schedule(static) num_threads(mae_par((size_t)m *kc, threads))
    for (int q = 0; q < panels; q++) {
        float *d = ap + (size_t)q * MR * kc;
        for (int p = 0; p < kc; p++)
            for (int r = 0; r < MR; r++) {
                int i = q * MR + r;
                d[p * MR + r] = i < m ? alpha * at(a, lda, ta, i0 + i, p0 + p) : 0.0f;
            }
    }
}

/* B[p0.., j0..] as NR-column panels: bp[panel][p][c], zero-padded. */
static void pack_b(const float *b, int ldb, int tb, int j0, int nc, int p0, int kc, float *bp,
                   int threads)
{
    int panels = (nc + NR - 1) / NR;
#pragma omp parallel for schedule(static) num_threads(mae_par((size_t)nc *kc, threads))
    for (int q = 0; q < panels; q++) {
        float *d = bp + (size_t)q * NR * kc;
        for (int p = 0; p < kc; p++)
            for (int c = 0; c < NR; c++) {
                int j = q * NR + c;
                d[p * NR + c] = j < nc ? (tb ? b[(size_t)(j0 + j) * ldb + p0 + p]
                                             : b[(size_t)(p0 + p) * ldb + j0 + j])
                                       : 0.0f;
            }
    }
}

MEMAE_REF_CLONES static void kernel(int kc, const float *ap, const float *bp, float *c, int ldc,
                                    int mr, int nr, float beta)
{
    float acc[MR][NR];
    memset(acc, 0, sizeof acc);
    for (int p = 0; p < kc; p++) {
        const float *a = ap + p * MR, *b = bp + p * NR;
        for (int r = 0; r < MR; r++)
            for (int j = 0; j < NR; j++)
                acc[r][j] += a[r] * b[j];
    }
    for (int r = 0; r < mr; r++) {
        float *cr = c + (size_t)r * ldc;
        if (beta == 0.0f)
            for (int j = 0; j < nr; j++)
                cr[j] = acc[r][j];
        else if (beta == 1.0f)
            for (int j = 0; j < nr; j++)
                cr[j] += acc[r][j];
        else
            for (int j = 0; j < nr; j++)
                cr[j] = beta * cr[j] + acc[r][j];
    }
}

size_t mae_ref_gemm_scratch(const memae_kernels *be, const memae_gemm_geom *g)
{
    (void)be;
    (void)g;
    return MEMAE_REF_GEMM_SCRATCH;
}

/* The k <= 0 product: C = beta C. */
static void scale_c(const memae_gemm_geom *g, float *c)
{
    for (int i = 0; i < g->m; i++)
        for (int j = 0; j < g->n; j++) {
            float *e = c + (size_t)i * g->ldc + j;
            *e = g->beta == 0.0f ? 0.0f : g->beta * *e;
        }
}

void mae_ref_gemm(const memae_kernels *be, const memae_gemm_geom *g, const float *a, const float *b,
                  float *c, float *scratch, int threads)
{
    (void)be;
    int m = g->m, n = g->n, k = g->k;
    if (m <= 0 || n <= 0)
        return;
    if (k <= 0) {
        scale_c(g, c);
        return;
    }
    float *ap = scratch, *bp = scratch + (size_t)MC * KC;
    for (int j0 = 0; j0 < n; j0 += NC) {
        int nc = n - j0 < NC ? n - j0 : NC, np = (nc + NR - 1) / NR;
        for (int p0 = 0; p0 < k; p0 += KC) {
            int kc = k - p0 < KC ? k - p0 : KC;
            float bt = p0 == 0 ? g->beta : 1.0f;
            pack_b(b, g->ldb, g->tb, j0, nc, p0, kc, bp, threads);
            for (int i0 = 0; i0 < m; i0 += MC) {
                int mc = m - i0 < MC ? m - i0 : MC, mp = (mc + MR - 1) / MR;
                pack_a(a, g->lda, g->ta, i0, mc, p0, kc, g->alpha, ap, threads);
                int nt = mae_par((size_t)mc * nc * kc / 8, threads);
#pragma omp parallel for collapse(2) schedule(static) num_threads(nt)
                for (int jq = 0; jq < np; jq++)
                    for (int iq = 0; iq < mp; iq++) {
                        int i = iq * MR, j = jq * NR;
                        kernel(kc, ap + (size_t)iq * MR * kc, bp + (size_t)jq * NR * kc,
                               c + (size_t)(i0 + i) * g->ldc + j0 + j, g->ldc,
                               mc - i < MR ? mc - i : MR, nc - j < NR ? nc - j : NR, bt);
                    }
            }
        }
    }
}
