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
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
plates=6000
seed=3001
epochs=20
work=${TMPDIR:-/tmp}/anpr-char-classifier
out=$root/models/plate-chars.onnx
uk_font=none
uk_plates=3000
world_share=0.4
while [[ $# -gt 0 ]]; do
  case $1 in
    --plates) plates=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --uk-font) uk_font=$2; shift 2 ;;
    --uk-plates) uk_plates=$2; shift 2 ;;
    --world-share) world_share=$2; shift 2 ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) echo "train-char-classifier: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

/usr/bin/python3 -c 'import torch, PIL' 2>/dev/null ||
  { echo "train-char-classifier: needs PyTorch and Pillow: apt-get install python3-torch python3-pil" >&2; exit 1; }
synth=$root/build/bin/anpr-synth
edge=$root/build/bin/anpr-edge
[[ -x $synth && -x $edge ]] || { echo "train-char-classifier: build first (cmake --preset default && cmake --build --preset default)" >&2; exit 1; }

if [[ $uk_font != none ]]; then
  [[ -f $uk_font ]] || { echo "train-char-classifier: --uk-font $uk_font not found" >&2; exit 2; }
  echo "train-char-classifier: $uk_plates more UK plates in $uk_font"
fi
jobs=$(nproc)
mkdir -p "$work"
echo "train-char-classifier: $plates plates (world share $world_share), seed $seed, $epochs epochs, work folder $work"

# Character patches of COUNT plates in folders NAME-0.. (one shard per core, seeds from SEED);
# the remaining arguments go to anpr-synth. The reader runs without a classifier, so the patches
# do not depend on the model being replaced.
make_patches() {
  local name=$1 count=$2 first_seed=$3
  shift 3
  [[ -f $work/$name.done ]] && return 0
  rm -rf "$work/$name-"*
  local per_shard=$(( (count + jobs - 1) / jobs )) shard_pids=() s pid
  for ((s = 0; s < jobs; s++)); do
    (
      "$synth" plates --count "$per_shard" --seed $((first_seed + s)) --out "$work/$name-$s" \
        --width 640 --height 480 "$@" >/dev/null
      OMP_THREAD_LIMIT=1 "$edge" eval "$work/$name-$s/manifest.csv" --char-model none \
        --dump-chars "$work/$name-$s/chars" >/dev/null 2>"$work/$name-$s/eval.log"
      tail -1 "$work/$name-$s/eval.log"
    ) &
    shard_pids+=($!)
  done
  # Every shard must succeed: a model trained on part of the data is not the recipe's model.
  for pid in "${shard_pids[@]}"; do
    wait "$pid" || { echo "train-char-classifier: a shard failed (see $work/$name-*/eval.log)" >&2; exit 1; }
  done
  touch "$work/$name.done"
}

# 1. Every training font, UK formats and European layouts; then the UK typeface's own plates.
make_patches shard "$plates" "$seed" --training --world-share "$world_share"
uk_args=()
if [[ $uk_font != none ]]; then
  make_patches uk-typeface "$uk_plates" $((seed + 100)) --uk-font "$uk_font" --uk-font-share 1.0
  for d in "$work"/uk-typeface-*/chars; do uk_args+=(--uk-typeface "$d"); done
fi

# 2. Train and export.
/usr/bin/python3 "$root/models/train-char-classifier.py" --epochs "$epochs" --out "$out" \
  "$work"/shard-*/chars "${uk_args[@]}"
