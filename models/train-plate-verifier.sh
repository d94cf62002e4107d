#!/usr/bin/env bash
# Trains models/plate-verifier.onnx: the reader's plate / not-a-plate check (see models/README.md).
#
# The candidates are the ones the reader itself reports: `anpr-synth plates --training
# --distractors` renders plates (UK formats and European layouts, 17 Debian fonts, front/rear
# colours, perspective, blur, noise, JPEG, glare, dirt, night) into scenes among road and shop
# signs, dealer legends, stickers, radiator grilles and road markings; `anpr-edge eval
# --dump-patches` runs the real reader over them and cuts the verifier's patch of every candidate
# the detector proposes, labelled plate or not by the scene's plate box. No real photo is used, so every real-photo
# figure in docs/accuracy.md stays a measurement. models/train-plate-verifier.py trains a small CNN
# (PyTorch from Debian: apt-get install python3-torch python3-pil) and writes ONNX.
#
# --uk-font FILE draws a share (--uk-font-share, default 0.5) of the UK plates in the real UK plate
# typeface (../shared/fonts/CharlesWright-Bold.otf on a development machine): a plate must look like
# a plate in the typeface every UK plate uses. Only images rendered with it and the model trained on
# them are used, never the font itself; the committed model was trained with it (models/README.md).
#
# --world-share S (default 0.4) draws that share of the European-layout plates in styles from
# outside Europe (2:1, coloured backgrounds and characters, a name line above and a slogan below,
# stickers): a check that has seen only white and yellow plates turns such plates away as signs.
#
# --plate-photos MANIFEST adds --photo-scenes N (default 2000) scenes made from the real photos of a
# labelled set (../shared/data/plates-eu/manifest.csv, the development set, on a development
# machine): each photo's own plate painted out and a synthetic plate drawn where it was, among the
# same distractors. The print of real streets and car bodies (shop fronts, badges, stickers) is
# then among the check's negatives, which procedural backgrounds cannot give. The committed model
# was trained without it: with it, it measured no better than another seed and turned away a clear
# plate on a car of its own grey (models/README.md, docs/accuracy.md session 29).
#
# Usage: models/train-plate-verifier.sh [--scenes N] [--seed S] [--epochs N] [--work DIR]
#                                       [--uk-font FILE] [--uk-font-share S] [--world-share S]
#                                       [--plate-photos MANIFEST] [--photo-scenes N]
# Needs a configured build (build/bin/anpr-synth, build/bin/anpr-edge). About 40 minutes on the
# 2-core development machine with the defaults. The data is deterministic for a given seed; the
# training is deterministic on one machine (one thread, fixed seed).

# shellcheck disable=SC2154  # the options' variables are set by parse_options
set -euo pipefail
# shellcheck source=models/training-patches.sh
source "$(dirname "$0")/training-patches.sh"
parse_options "$tool" scenes=5000 seed=5001 epochs=15 work="${TMPDIR:-/tmp}/anpr-plate-verifier" \
  uk-font=none uk-font-share=0.5 world-share=0.4 plate-photos=none photo-scenes=2000 -- "$@"

need_torch
need_built_programs

font_args=()
if [[ $uk_font != none ]]; then
  [[ -f $uk_font ]] || { echo "train-plate-verifier: --uk-font $uk_font not found" >&2; exit 2; }
  font_args=(--uk-font "$uk_font" --uk-font-share "$uk_font_share")
  echo "train-plate-verifier: $uk_font_share of the UK plates in $uk_font"
fi
if [[ $plate_photos != none ]]; then
  [[ -f $plate_photos ]] || { echo "train-plate-verifier: --plate-photos $plate_photos not found" >&2; exit 2; }
  echo "train-plate-verifier: $photo_scenes more scenes in the photos of $plate_photos"
fi
mkdir -p "$work"
echo "train-plate-verifier: $scenes scenes, seed $seed, $epochs epochs, work folder $work"

# 1. Candidate patches (make_patches, training-patches.sh); the photo scenes differ from the
# procedural ones only in their backgrounds.
scene_args=(--training --distractors --world-share "$world_share" "${font_args[@]}")
make_patches shard "$scenes" "$seed" --verifier-model --dump-patches patches "${scene_args[@]}"

patch_dirs=("$work"/shard-*/patches)
if [[ $plate_photos != none ]]; then
  # Seeds of their own, after the synthetic shards' (one per core from --seed).
  make_patches photo "$photo_scenes" $((seed + 200)) --verifier-model --dump-patches patches \
    "${scene_args[@]}" --plate-photos "$plate_photos"
  patch_dirs+=("$work"/photo-*/patches)
fi

# 2. Train and export.
/usr/bin/python3 "$root/models/train-plate-verifier.py" --epochs "$epochs" --out "$root/models/plate-verifier.onnx" \
  "${patch_dirs[@]}"
