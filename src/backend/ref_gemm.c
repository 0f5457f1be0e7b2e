/*
 * Reference matrix product, row-major, C = alpha op(A) op(B) + beta C.
 * Blocked as BLIS does (pack a KC x NC panel of B and the KC-wide slice of
 * A, then MR x NR register tiles) in plain C that compilers vectorise.
 * Every element of C sees the same sequence of operations whatever the
 * thread count, so results are bitwise reproducible.
 */
#include <stdlib.h>
#include <string.h>

#include "backend/ref.h"
#include "core/alloc.h"

#define MR 4
#define NR 32
#define KC 256
#define NC 2048

static float at(const float *a, int lda, int t, int i, int p)
{
    return t ? a[(size_t)p * lda + i] : a[(size_t)i * lda + p];
}

/* A[i0.., p0..] as MR-row panels: ap[panel][p][r], zero-padded. */
static void pack_a(const float *a, int lda, int ta, int m, int p0, int kc, float alpha, float *ap,
                   int threads)
{
    int panels = (m + MR - 1) / MR;
#pragma omp parallel for schedule(static) num_threads(memae_par((size_t)m *kc, threads))
    for (int q = 0; q < panels; q++) {
        float *d = ap + (size_t)q * MR * kc;
        for (int p = 0; p < kc; p++)
            for (int r = 0; r < MR; r++) {
                int i = q * MR + r;
                d[p * MR + r] = i < m ? alpha * at(a, lda, ta, i, p0 + p) : 0.0f;
            }
    }
}

/* B[p0.., j0..] as NR-column panels: bp[panel][p][c], zero-padded. */
static void pack_b(const float *b, int ldb, int tb, int j0, int nc, int p0, int kc, float *bp,
                   int threads)
{
    int panels = (nc + NR - 1) / NR;
#pragma omp parallel for schedule(static) num_threads(memae_par((size_t)nc *kc, threads))
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

static void kernel(int kc, const float *ap, const float *bp, float *c, int ldc, int mr, int nr,
                   float beta)
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

void memae_ref_gemm(const memae_backend *be, int ta, int tb, int m, int n, int k, float alpha,
                    const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc,
                    int threads)
{
    (void)be;
    if (m <= 0 || n <= 0)
        return;
    if (k <= 0) {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                c[(size_t)i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[(size_t)i * ldc + j];
        return;
    }
    int mp = (m + MR - 1) / MR;
    int kc_max = k < KC ? k : KC, nc_max = n < NC ? n : NC;
    float *ap = memae_falloc((size_t)mp * MR * kc_max);
    float *bp = memae_falloc((size_t)((nc_max + NR - 1) / NR) * NR * kc_max);
    if (!ap || !bp) { /* no memory for panels: the plain triple loop still works */
        memae_aligned_free(ap);
        memae_aligned_free(bp);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                float s = 0.0f;
                for (int p = 0; p < k; p++)
                    s += at(a, lda, ta, i, p) *
                         (tb ? b[(size_t)j * ldb + p] : b[(size_t)p * ldb + j]);
                c[(size_t)i * ldc + j] =
                    alpha * s + (beta == 0.0f ? 0.0f : beta * c[(size_t)i * ldc + j]);
            }
        return;
    }
    for (int j0 = 0; j0 < n; j0 += NC) {
        int nc = n - j0 < NC ? n - j0 : NC, np = (nc + NR - 1) / NR;
        for (int p0 = 0; p0 < k; p0 += KC) {
            int kc = k - p0 < KC ? k - p0 : KC;
            float bt = p0 == 0 ? beta : 1.0f;
            pack_a(a, lda, ta, m, p0, kc, alpha, ap, threads);
            pack_b(b, ldb, tb, j0, nc, p0, kc, bp, threads);
            int nt = memae_par((size_t)m * nc * kc / 8, threads);
#pragma omp parallel for collapse(2) schedule(static) num_threads(nt)
            for (int jq = 0; jq < np; jq++)
                for (int iq = 0; iq < mp; iq++) {
                    int i = iq * MR, j = jq * NR;
                    kernel(kc, ap + (size_t)iq * MR * kc, bp + (size_t)jq * NR * kc,
                           c + (size_t)i * ldc + j0 + j, ldc, m - i < MR ? m - i : MR,
                           nc - j < NR ? nc - j : NR, bt);
                }
        }
    }
    memae_aligned_free(ap);
    memae_aligned_free(bp);
}
