#include "backend/ref.h"

static const memae_kernels ref_backend = {
    .name = "ref",
    .conv_scratch = mae_ref_conv_scratch,
    .conv_forward = mae_ref_conv_forward,
    .conv_forward_affine_act = mae_ref_conv_forward_affine_act,
    .conv_backward_data = mae_ref_conv_backward_data,
    .conv_backward_weights = mae_ref_conv_backward_weights,
    .channel_sum = mae_ref_channel_sum,
    .gemm_scratch = mae_ref_gemm_scratch,
    .gemm = mae_ref_gemm,
    .bn_forward = mae_ref_bn_forward,
    .bn_backward = mae_ref_bn_backward,
    .act_forward = mae_ref_act_forward,
    .act_backward = mae_ref_act_backward,
    .affine_act = mae_ref_affine_act,
};

const memae_kernels *mae_backend_ref(void)
{
    return &ref_backend;
}
