/*
 * Frame-level ground truth of videos in every form the public data sets ship
 * (gt.h: mae_gt_load and its grammar); gt_forms.h is the readers' private
 * interface.
 */
#ifndef MEMAE_IO_LABELS_H
#define MEMAE_IO_LABELS_H

#include "io/labels/gt.h"

#endif
