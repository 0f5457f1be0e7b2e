/* Seeded random numbers: xoshiro256** seeded by splitmix64, so that a seed
 * gives the same bits on every machine and thread count. */
#ifndef MEMAE_CORE_RNG_H
#define MEMAE_CORE_RNG_H

#include <stdint.h>

typedef struct memae_rng {
    uint64_t s[4];
} memae_rng;

void mae_rng_seed(memae_rng *r, uint64_t seed);
uint64_t mae_rng_next(memae_rng *r);
/* Uniform in [0, 1) with 24 random bits, as a float32 sample would have. */
double mae_rng_uniform(memae_rng *r);
/* Uniform integer in [0, n). */
uint64_t mae_rng_below(memae_rng *r, uint64_t n);
/* Standard normal (Box-Muller; no cached second value, so the stream is simple). */
double mae_rng_normal(memae_rng *r);
/* Fisher-Yates shuffle of an index array. */
void mae_rng_shuffle(memae_rng *r, int64_t *idx, int64_t n);

#endif
