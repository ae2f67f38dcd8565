/*
 * Extreme coordinates. Squared distances overflow for coordinates beyond ~1e154 and underflow for
 * differences below ~1e-154, which would make every value inf or 0. Such clouds are computed in
 * units scaled by one power of two, chosen from the largest coordinate: scaling by a power of two is
 * exact (absent underflow), and so is every operation of the computation on scaled values (sums,
 * products, square roots, means), so values, centroids and the distance limit are brought back
 * exactly. Ordinary clouds are not scaled at all.
 */
#ifndef SCIPAR_SCALE_H
#define SCIPAR_SCALE_H

#include "scipar/scipar.h"

/* The exponent e to multiply coordinates by 2^e: 0 while the largest finite coordinate magnitude is
 * within [2^-400, 2^400] (squares and their sums over any number of points stay finite and normal),
 * otherwise the one that brings it into [1, 2). */
int scale_exponent(double largest_magnitude);

/* v * 2^exponent, exact unless the result overflows or underflows (it saturates to inf or rounds
 * towards 0 then), for any exponent a double's range can need. */
double times_power_of_two(double v, int exponent);

/* options with max_pair_distance in scaled units (storage holds the copy when it differs). A positive
 * limit stays positive. */
const scipar_options *options_in_scaled_units(const scipar_options *options, int exponent,
                                              scipar_options *storage);

/* Brings a side's centroids and nearest distances (squared or not) back from scaled units. */
void side_unscale(scipar_side *side, int exponent, int squared);

#endif
