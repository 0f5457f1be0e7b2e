/* What an activation layer (activation.c) adds to a layer. */
#ifndef MEMAE_NN_ACTIVATION_H
#define MEMAE_NN_ACTIVATION_H

typedef struct memae_act_layer {
    int fn; /* MEMAE_ACT_* */
} memae_act_layer;

#endif
