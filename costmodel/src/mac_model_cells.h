// Cell-level constants shared by the MAC and memory models (private to costmodel/src).
// Everything here is at 45 nm and 0.9 V; technology_scale() moves it to other nodes.
// docs/costmodel.md ("Constants and sources") cites each value.
#pragma once

namespace mpsim::cells {

// NanGate 45 nm Open Cell Library (FreePDK45), typical corner: cell footprints in um^2.
inline constexpr double kFlipFlopAreaUm2 = 4.522;  // DFF_X1: one register bit
inline constexpr double kMux2AreaUm2 = 1.862;      // MUX2_X1: one bit of one shifter stage

// Logic leakage density. NanGate's AND2_X1 leaks 25.066 nW in 1.064 um^2 at 1.1 V, 25 C
// (23.6 mW/mm^2); scaled linearly to 0.9 V, our leakage-versus-supply rule (technology.cpp).
// One small cell stands for the mix of a datapath: an assumption, and an optimistic one, since
// leakage grows several-fold from 25 C to operating temperature.
inline constexpr double kLogicLeakageMwPerUm2 = 25.066e-6 / 1.064 * (0.9 / 1.1);

// Bit Fusion (Sharma et al., ISCA 2018) synthesis at 45 nm, 500 MHz (the repository's
// results/systolic_array_synth.csv, one PE): dynamic power of the fusion PE over the fixed PE of
// the same maximum precision, leakage excluded. 8 bits: 279,960 / 148,845 nW; 16 bits:
// 1,166,200 / 473,688 nW.
inline constexpr double kFusionDynamicRatio8 = 279960.0 / 148845.0;
inline constexpr double kFusionDynamicRatio16 = 1166200.0 / 473688.0;

// The supply of the base node: Horowitz (ISSCC 2014) published his 45 nm energies at 0.9 V.
inline constexpr double kBaseVddV = 0.9;

}  // namespace mpsim::cells
