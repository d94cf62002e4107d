#pragma once
/// @file
/// Text and patterns that are not number plates but that a plate detector finds: road and shop
/// signs, a dealer's legend under the plate, stickers and badges, radiator grilles, road
/// markings, lettering on a van. Drawn into synthetic scenes so that the plate / not-a-plate
/// check learns what real false reads look like, and so that development scenes count them.
/// Host-only, like the rest of the generator.

#include <random>

#include <opencv2/core.hpp>

#include "anpr/synth/plate_renderer.hpp"

namespace anpr::synth {

/// Draws a random handful of distractors into `frame` (BGR), never over `plate` (the bounding
/// box the plate will be pasted into) except a dealer legend just under it and a grille above.
/// `body_lettering` adds a company name lettered on the body above the plate (training scenes
/// only: without it a seed's development scenes stay as they were).
void draw_distractors(cv::Mat& frame, const cv::Rect& plate, PlateRenderer& renderer, std::mt19937_64& rng,
                      bool body_lettering = false);

}  // namespace anpr::synth
