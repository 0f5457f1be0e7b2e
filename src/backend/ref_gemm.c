/* Reference matrix product (row-major), parallel over rows of C. */
#include "backend/ref.h"

void memae_ref_gemm(int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
                    const float *b, int ldb, float beta, float *c, int ldc, int threads)
{
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int i = 0; i < m; i++) {
        float *ci = c + (size_t)i * ldc;
        for (int j = 0; j < n; j++)
            ci[j] = beta == 0.0f ? 0.0f : beta * ci[j];
        if (!tb) {
            /* i-k-j order: the inner loop runs along rows of B and C. */
            for (int p = 0; p < k; p++) {
                float av = alpha * (ta ? a[(size_t)p * lda + i] : a[(size_t)i * lda + p]);
                const float *bp = b + (size_t)p * ldb;
                for (int j = 0; j < n; j++)
                    ci[j] += av * bp[j];
            }
        } else {
            for (int j = 0; j < n; j++) {
                const float *bj = b + (size_t)j * ldb;
                float s = 0.0f;
                if (!ta) {
                    const float *ai = a + (size_t)i * lda;
                    for (int p = 0; p < k; p++)
                        s += ai[p] * bj[p];
                } else {
                    for (int p = 0; p < k; p++)
                        s += a[(size_t)p * lda + i] * bj[p];
                }
                ci[j] += alpha * s;
            }
        }
    }
}
