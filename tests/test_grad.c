/*
 * Every layer's backward against central differences, 2D and 3D, odd sizes,
 * stride 2 and output_padding.  Tolerances per op (float32 kernels, loss
 * accumulated in double):
 *  - conv, convT, linear (linear in x and w): h 1e-2, |a - n| <= 2e-3 + 1e-2 |n|
 *  - batch norm (train and eval), activations: h 1e-3, 5e-3 + 2e-2 |n|
 *  - memory module (softmax, shrinkage, entropy): h 1e-3, 5e-3 + 3e-2 |n|.  Hard
 *    shrinkage is discontinuous at lambda (a weight just above it keeps its
 *    value, one just below becomes 0), so points whose one-sided differences
 *    disagree are skipped; at least 60% of the sampled points must be checked.
 * Each check runs on the reference backend and on the oneDNN one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/testutil.h"

static memae_layer conv_layer(memae_op op, int sdim, int c, const int sp[3], int out,
                              const int k[3], const int s[3], const int p[3], const int opad[3])
{
    memae_layer l;
    memset(&l, 0, sizeof l);
    l.op = op;
    snprintf(l.prefix, sizeof l.prefix, "%s%dd", op == MEMAE_OP_CONV ? "conv" : "convT", sdim);
    l.in.c = c;
    l.in.sdim = sdim;
    l.out.c = out;
    for (int i = 0; i < 3; i++) {
        l.in.sp[i] = sp[i];
        l.conv.k[i] = k[i];
        l.conv.s[i] = s[i];
        l.conv.p[i] = p[i];
        l.conv.op_pad[i] = opad ? opad[i] : 0;
    }
    return l;
}

static void run_check_on(const memae_layer *l, int batch, int train, float ew, tu_gradcheck gc,
                         double min_checked_fraction, const memae_kernels *be)
{
    tu_layer t;
    assert_int_equal(tu_layer_make_on(&t, l, batch, train, 1234, be), 0);
    t.run.entropy_weight = ew;
    int checked = 0;
    int bad = tu_gradcheck_layer(&t, &gc, &checked);
    size_t total = (size_t)(gc.samples < (int)t.nx ? gc.samples : (int)t.nx) +
                   (size_t)(gc.samples < (int)t.l.nparams ? gc.samples : (int)t.l.nparams);
    if (bad || checked < min_checked_fraction * (double)total)
        fprintf(stderr, "%s on %s: %d of %d checked elements disagree (%zu sampled)\n",
                t.l.prefix, be->name, bad, checked, total);
    assert_int_equal(bad, 0);
    assert_true(checked >= min_checked_fraction * (double)total);
    tu_layer_free(&t);
}

/* Every check runs on each backend, with the same tolerances. */
static void run_check(const memae_layer *l, int batch, int train, float ew, tu_gradcheck gc,
                      double min_checked_fraction)
{
    for (int i = 0; i < tu_nbackends(); i++) {
        const memae_kernels *be = tu_backend(i);
        assert_non_null(be);
        run_check_on(l, batch, train, ew, gc, min_checked_fraction, be);
    }
}

static const tu_gradcheck linear_gc = {.h = 1e-2, .atol = 2e-3, .rtol = 1e-2, .samples = 60};
static const tu_gradcheck smooth_gc = {.h = 1e-3, .atol = 5e-3, .rtol = 2e-2, .samples = 60};
static const tu_gradcheck memory_gc = {
    .h = 1e-3, .atol = 5e-3, .rtol = 3e-2, .samples = 80, .skip_kinks = 1};

static void test_conv2d(void **state)
{
    (void)state;
    int sp[3] = {1, 7, 9}, k[3] = {1, 3, 3}, s[3] = {1, 2, 2}, p[3] = {0, 1, 1};
    memae_layer l = conv_layer(MEMAE_OP_CONV, 2, 3, sp, 4, k, s, p, NULL);
    run_check(&l, 2, 1, 0, linear_gc, 1.0);
    int k1[3] = {1, 1, 1}, p0[3] = {0, 0, 0}; /* image2d's first layer: 1x1, stride 2 */
    l = conv_layer(MEMAE_OP_CONV, 2, 2, sp, 3, k1, s, p0, NULL);
    run_check(&l, 3, 1, 0, linear_gc, 1.0);
}

static void test_conv3d(void **state)
{
    (void)state;
    int sp[3] = {5, 7, 6}, k[3] = {3, 3, 3}, s[3] = {1, 2, 2}, p[3] = {1, 1, 1};
    memae_layer l = conv_layer(MEMAE_OP_CONV, 3, 2, sp, 3, k, s, p, NULL);
    run_check(&l, 2, 1, 0, linear_gc, 1.0);
    int s2[3] = {2, 2, 2}, p0[3] = {0, 0, 0};
    l = conv_layer(MEMAE_OP_CONV, 3, 2, sp, 2, k, s2, p0, NULL);
    run_check(&l, 2, 1, 0, linear_gc, 1.0);
}

static void test_convt2d(void **state)
{
    (void)state;
    int sp[3] = {1, 4, 5}, k[3] = {1, 3, 3}, s[3] = {1, 2, 2}, p[3] = {0, 1, 1},
        op[3] = {0, 1, 1};
    memae_layer l = conv_layer(MEMAE_OP_CONVT, 2, 3, sp, 2, k, s, p, op);
    run_check(&l, 2, 1, 0, linear_gc, 1.0);
    int p0[3] = {0, 0, 0}, op0[3] = {0, 0, 0};
    l = conv_layer(MEMAE_OP_CONVT, 2, 2, sp, 3, k, s, p0, op0);
    run_check(&l, 2, 1, 0, linear_gc, 1.0);
}

static void test_convt3d(void **state)
{
    (void)state;
    int sp[3] = {3, 4, 3}, k[3] = {3, 3, 3}, s[3] = {1, 2, 2}, p[3] = {1, 1, 1},
        op[3] = {0, 1, 1};
    memae_layer l = conv_layer(MEMAE_OP_CONVT, 3, 2, sp, 3, k, s, p, op);
    run_check(&l, 2, 1, 0, linear_gc, 1.0);
    int s2[3] = {2, 2, 2}, op1[3] = {1, 1, 1};
    l = conv_layer(MEMAE_OP_CONVT, 3, 3, sp, 2, k, s2, p, op1);
    run_check(&l, 1, 1, 0, linear_gc, 1.0);
}

static void test_linear(void **state)
{
    (void)state;
    memae_layer l = {.op = MEMAE_OP_LINEAR, .prefix = "linear", .in = {7, {1, 1, 1}, 0},
                     .out = {5, {1, 1, 1}, 0}};
    run_check(&l, 3, 1, 0, linear_gc, 1.0);
}

static void test_batchnorm(void **state)
{
    (void)state;
    memae_layer l = {.op = MEMAE_OP_BATCHNORM, .prefix = "bn2d", .in = {3, {1, 5, 7}, 2}};
    run_check(&l, 4, 1, 0, smooth_gc, 1.0);
    run_check(&l, 4, 0, 0, smooth_gc, 1.0); /* scoring mode: running statistics */
    memae_layer l3 = {.op = MEMAE_OP_BATCHNORM, .prefix = "bn3d", .in = {2, {3, 3, 5}, 3}};
    run_check(&l3, 2, 1, 0, smooth_gc, 1.0);
    memae_layer l1 = {.op = MEMAE_OP_BATCHNORM, .prefix = "bn1d", .in = {6, {1, 1, 1}, 0}};
    run_check(&l1, 5, 1, 0, smooth_gc, 1.0);
}

static void test_activations(void **state)
{
    (void)state;
    memae_layer l = {.op = MEMAE_OP_ACT, .prefix = "leaky", .in = {3, {1, 4, 5}, 2},
                     .act = {MEMAE_ACT_LEAKY_RELU}};
    tu_gradcheck gc = smooth_gc;
    gc.skip_kinks = 1; /* relu's kink at 0 */
    run_check(&l, 2, 1, 0, gc, 0.8);
    l.act.fn = MEMAE_ACT_TANH;
    snprintf(l.prefix, sizeof l.prefix, "tanh");
    run_check(&l, 2, 1, 0, smooth_gc, 1.0);
}

static void memory_case(const char *name, memae_shape in, int slots, float shrink, int addr,
                        int query)
{
    memae_layer l = {.op = MEMAE_OP_MEMORY,
                     .in = in,
                     .mem = {.slots = slots, .shrink = shrink, .addressing = addr, .query = query}};
    snprintf(l.prefix, sizeof l.prefix, "%s", name);
    run_check(&l, 2, 1, 0.5f, memory_gc, 0.6);
}

static void test_memory(void **state)
{
    (void)state;
    memae_shape s2 = {4, {1, 2, 3}, 2, 0}, s3 = {3, {2, 2, 1}, 3, 0}, v = {5, {1, 1, 1}, 0, 0};
    memory_case("mem_dot", s2, 7, 0.0f, MEMAE_ADDR_DOT, MEMAE_QUERY_POSITION);
    memory_case("mem_dot_shrink", s3, 6, 0.1f, MEMAE_ADDR_DOT, MEMAE_QUERY_POSITION);
    memory_case("mem_cos", v, 7, 0.0f, MEMAE_ADDR_COSINE, MEMAE_QUERY_POSITION);
    memory_case("mem_cos_shrink", s2, 5, 0.15f, MEMAE_ADDR_COSINE, MEMAE_QUERY_POSITION);
    memory_case("mem_flat_shrink", s2, 8, 0.1f, MEMAE_ADDR_DOT, MEMAE_QUERY_FLAT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv2d),    cmocka_unit_test(test_conv3d),
        cmocka_unit_test(test_convt2d),   cmocka_unit_test(test_convt3d),
        cmocka_unit_test(test_linear),    cmocka_unit_test(test_batchnorm),
        cmocka_unit_test(test_activations), cmocka_unit_test(test_memory),
    };
    return cmocka_run_group_tests_name("gradients", tests, NULL, NULL);
}
