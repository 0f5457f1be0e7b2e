/* What a convolution or transposed convolution layer (conv.c) adds to a layer. */
#ifndef MEMAE_NN_CONV_H
#define MEMAE_NN_CONV_H

typedef struct memae_conv_layer {
    int k[3], s[3], p[3]; /* kernel, stride, padding: D, H, W (2D: D is 1) */
    int op_pad[3];        /* transposed only: output_padding */
} memae_conv_layer;

#endif
