#include "backend/ref.h"

static const memae_kernels ref_backend = {
    .name = "ref",
    .conv_scratch = memae_ref_conv_scratch,
    .conv_forward = memae_ref_conv_forward,
    .conv_forward_affine_act = memae_ref_conv_forward_affine_act,
    .conv_backward_data = memae_ref_conv_backward_data,
    .conv_backward_weights = memae_ref_conv_backward_weights,
    .channel_sum = memae_ref_channel_sum,
    .gemm_scratch = memae_ref_gemm_scratch,
    .gemm = memae_ref_gemm,
    .bn_forward = memae_ref_bn_forward,
    .bn_backward = memae_ref_bn_backward,
    .act_forward = memae_ref_act_forward,
    .act_backward = memae_ref_act_backward,
    .affine_act = memae_ref_affine_act,
};

const memae_kernels *memae_backend_ref(void)
{
    return &ref_backend;
}
