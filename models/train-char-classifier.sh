#!/usr/bin/env bash
# Trains models/plate-chars.onnx: the reader's per-character classifier (see models/README.md).
#
# The characters are the ones the reader itself segments: `anpr-synth plates --training` renders
# plates (UK formats and European layouts, 17 Debian fonts, front/rear colours, dashes and emblems,
# perspective, blur, noise, JPEG, glare, dirt, night) into scenes; `anpr-edge eval --dump-chars`
# runs the real detector and rectifier over them and cuts the patch of every character of each
# plate found nearly whole, labelled with the truth. No real photo is used, so the real-photo
# measurements in docs/accuracy.md stay unseen. models/train-char-classifier.py then trains a
# small CNN (PyTorch from Debian: apt-get install python3-torch python3-pil) and writes ONNX.
#
# --uk-font FILE adds --uk-plates more plates (default 3000, seeds from S + 100), UK formats only,
# every one in the real UK plate typeface (../shared/fonts/CharlesWright-Bold.otf on a development
# machine): only images rendered with it and a model trained on them may enter the repository,
# never the font. That typeface draws O and 0 alike, and I and 1 (the same pixels), so on its
# patches those labels mean "one of the pair" (train-char-classifier.py --uk-typeface): the plate's
# layout decides, not the glyph, and the network is not taught to doubt the pairs in other fonts.
#
# --world-share S draws that share of the European-layout plates in styles from outside Europe
# (anpr-synth plates --world-share: coloured, a name line, stickers, narrower print), so that the
# classifier also knows characters printed the way the rest of the world prints them.
#
# Usage: models/train-char-classifier.sh [--plates N] [--seed S] [--epochs N] [--work DIR]
#                                        [--uk-font FILE] [--uk-plates N] [--world-share S]
#                                        [--out FILE]
# The committed model: models/train-char-classifier.sh --uk-font ../shared/fonts/CharlesWright-Bold.otf
# Needs a configured build (build/bin/anpr-synth, build/bin/anpr-edge). About 50 minutes on the
# 2-core development machine. The data is deterministic for a given seed; the training is
# deterministic on one machine (one thread, fixed seed).

# shellcheck disable=SC2154  # the options' variables are set by parse_options
set -euo pipefail
# shellcheck source=models/training-patches.sh
source "$(dirname "$0")/training-patches.sh"
parse_options "$tool" plates=6000 seed=3001 epochs=20 work="${TMPDIR:-/tmp}/anpr-char-classifier" \
  out="$root/models/plate-chars.onnx" uk-font=none uk-plates=3000 world-share=0.4 -- "$@"

need_torch
need_built_programs

if [[ $uk_font != none ]]; then
  [[ -f $uk_font ]] || { echo "train-char-classifier: --uk-font $uk_font not found" >&2; exit 2; }
  echo "train-char-classifier: $uk_plates more UK plates in $uk_font"
fi
mkdir -p "$work"
echo "train-char-classifier: $plates plates (world share $world_share), seed $seed, $epochs epochs, work folder $work"

# 1. Character patches (make_patches, training-patches.sh): every training font, UK formats and
# European layouts; then the UK typeface's own plates.
make_patches shard "$plates" "$seed" --char-model --dump-chars chars --training --world-share "$world_share"
uk_args=()
if [[ $uk_font != none ]]; then
  make_patches uk-typeface "$uk_plates" $((seed + 100)) --char-model --dump-chars chars \
    --uk-font "$uk_font" --uk-font-share 1.0
  for d in "$work"/uk-typeface-*/chars; do uk_args+=(--uk-typeface "$d"); done
fi

# 2. Train and export.
/usr/bin/python3 "$root/models/train-char-classifier.py" --epochs "$epochs" --out "$out" \
  "$work"/shard-*/chars "${uk_args[@]}"
