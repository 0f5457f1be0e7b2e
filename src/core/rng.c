#include "core/rng.h"

#include <math.h>

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void mae_rng_seed(memae_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) {
        seed += 0x9e3779b97f4a7c15ULL;
        uint64_t z = seed;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        r->s[i] = z ^ (z >> 31);
    }
}

uint64_t mae_rng_next(memae_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double mae_rng_uniform(memae_rng *r)
{
    return (double)(mae_rng_next(r) >> 40) * (1.0 / 16777216.0);
}

uint64_t mae_rng_below(memae_rng *r, uint64_t n)
{
    /* Lemire's multiply-shift is unbiased enough for shuffling data sets. */
    return (uint64_t)(((unsigned __int128)mae_rng_next(r) * n) >> 64);
}

double mae_rng_normal(memae_rng *r)
{
    double u1 = 1.0 - mae_rng_uniform(r); /* (0, 1]: log is finite */
    double u2 = mae_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

void mae_rng_shuffle(memae_rng *r, int64_t *idx, int64_t n)
{
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)mae_rng_below(r, (uint64_t)i + 1);
        int64_t t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}
