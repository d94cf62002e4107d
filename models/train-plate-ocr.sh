#!/usr/bin/env bash
# Trains models/plate.traineddata: a Tesseract LSTM for number-plate rows, from scratch, with
# Tesseract's own training tools (Debian package tesseract-ocr).
#
# The training lines are the rows the reader itself hands to OCR: `anpr-synth plates --training`
# renders plates (UK formats and European layouts, 17 Debian fonts, front/rear colours, dashes and
# emblems in the group gap) into scenes with perspective, blur, noise, JPEG, glare, dirt and night;
# `anpr-edge eval --dump-rows` runs the real detector and rectifier over them and keeps the binary
# and grey rows of every plate found nearly whole, labelled with the truth. No real photo is used,
# so the real-photo measurements in docs/accuracy.md stay unseen.
#
# Usage: models/train-plate-ocr.sh [--plates N] [--iterations N] [--seed S] [--work DIR]
# Needs a configured build (build/bin/anpr-synth, build/bin/anpr-edge). Takes about 1.5 hours on
# the 2-core development machine with the defaults (stage 1 ~25 min, stage 2 ~45 min on one core). Deterministic data for a given seed; the
# training itself is not bit-reproducible across machines (floating point, threads).

# shellcheck disable=SC2154  # the options' variables are set by parse_options
set -euo pipefail
# shellcheck source=models/training-patches.sh
source "$(dirname "$0")/training-patches.sh"
stage1_iterations=60000
# --iterations: stage 2's, counted in lines seen (Tesseract skips lines it already reads right).
parse_options "$tool" plates=8000 iterations=100000 seed=1000 work="${TMPDIR:-/tmp}/anpr-plate-ocr" -- "$@"

for program in tesseract lstmtraining unicharset_extractor combine_lang_model; do
  command -v "$program" >/dev/null || { echo "$tool: $program missing: apt-get install tesseract-ocr" >&2; exit 1; }
done
need_built_programs

jobs=$(nproc)
mkdir -p "$work"
echo "train-plate-ocr: $plates plates, $iterations iterations, seed $seed, work folder $work"

# 1. Training lines, one shard per core.
if [[ ! -f $work/lines.done ]]; then
  rm -rf "$work/shard-"* "$work/lines"
  mkdir -p "$work/lines"
  per_shard=$(( (plates + jobs - 1) / jobs ))
  for ((s = 0; s < jobs; s++)); do
    (
      "$synth" plates --training --count "$per_shard" --seed $((seed + s)) --out "$work/shard-$s" \
        --width 640 --height 400 --min-char 14 --max-char 44 >/dev/null
      # One OpenMP thread per process (anpr-edge re-executes itself so unless told otherwise):
      # shards already use every core, and spinning OpenMP threads would fight over them.
      env -u OMP_THREAD_LIMIT "$edge" eval "$work/shard-$s/manifest.csv" --dump-rows "$work/shard-$s/rows" >/dev/null 2>"$work/shard-$s/eval.log"
      for f in "$work/shard-$s/rows/"*.png; do
        base=$(basename "$f" .png)
        mv "$f" "$work/lines/s$s-$base.png"
        mv "${f%.png}.gt.txt" "$work/lines/s$s-$base.gt.txt"
      done
    ) &
  done
  wait
  touch "$work/lines.done"
fi
echo "train-plate-ocr: $(ls "$work/lines" | grep -c '\.png$') training lines"

# 2. Tesseract's training form of each line (.lstmf): the image as the LSTM sees it plus its text,
# given as one whole-line box (WordStr, as tesstrain's generate_line_box.py writes it).
python3 - "$work/lines" <<'PY'
import pathlib, struct, sys
for png in pathlib.Path(sys.argv[1]).glob("*.png"):
    box = png.with_suffix(".box")
    if box.exists():
        continue
    width, height = struct.unpack(">II", png.read_bytes()[16:24])
    text = png.with_name(png.stem + ".gt.txt").read_text().strip()
    box.write_text(f"WordStr 0 0 {width} {height} 0 #{text}\n\t {width} {height} {width + 1} {height + 1} 0\n")
PY
find "$work/lines" -name '*.png' -print0 | xargs -0 -P "$jobs" -n 50 sh -c '
  for png in "$@"; do
    base=${png%.png}
    [ -f "$base.lstmf" ] || tesseract "$png" "$base" --psm 13 lstm.train >/dev/null 2>&1 || true
  done' sh
find "$work/lines" -name '*.lstmf' | sort > "$work/all.list"
# Every 20th line is held out to watch the error on lines the model does not train on.
awk 'NR % 20 == 0' "$work/all.list" > "$work/eval.list"
awk 'NR % 20 != 0' "$work/all.list" > "$work/train.list"
echo "train-plate-ocr: $(wc -l < "$work/train.list") training, $(wc -l < "$work/eval.list") held-out lines"

# 3. The character set and an empty language model (plates are not words).
cat "$work/lines/"*.gt.txt > "$work/all-gt.txt"
unicharset_extractor --output_unicharset "$work/unicharset" --norm_mode 1 "$work/all-gt.txt" >/dev/null
# combine_lang_model insists on a radical-stroke table, which only Han scripts use: a one-line one.
printf "4e00\t1.0\n" > "$work/radical-stroke.txt"
combine_lang_model --input_unicharset "$work/unicharset" --script_dir "$work" --output_dir "$work" \
  --lang plate --pass_through_recoder >/dev/null 2>"$work/combine.log" ||
  { cat "$work/combine.log" >&2; exit 1; }

# 4. Train from scratch (Debian's eng model is integer-quantised and cannot be fine-tuned), in
# two stages. From scratch on all lines the error sits at ~99.8% for 30,000+ iterations (the
# network emits only blanks); on a random 1,000 of them it leaves that plateau after ~16,000
# iterations. So stage 1 learns on 1,000 lines, stage 2 continues from it on all of them. The
# network is Tesseract's standard line recogniser with smaller LSTM layers: 36 symbols need less.
classes=$(head -n1 "$work/unicharset")
mkdir -p "$work/checkpoints" "$work/stage1"
if [[ ! -f $work/stage1/plate_checkpoint ]]; then
  shuf -n 1000 --random-source=<(yes) "$work/train.list" > "$work/stage1.list"
  lstmtraining --traineddata "$work/plate/plate.traineddata" \
    --net_spec "[1,36,0,1 Ct3,3,16 Mp3,3 Lfys48 Lfx96 Lrx96 Lfx128 O1c$classes]" \
    --model_output "$work/stage1/plate" --learning_rate 0.001 \
    --train_listfile "$work/stage1.list" --eval_listfile "$work/eval.list" \
    --max_iterations "$stage1_iterations" --target_error_rate 0.01 2>&1 | tee "$work/stage1.log" |
    grep --line-buffered -E "^At iteration|New best|Finished" || true
fi
lstmtraining --traineddata "$work/plate/plate.traineddata" --continue_from "$work/stage1/plate_checkpoint" \
  --model_output "$work/checkpoints/plate" --learning_rate 0.001 \
  --train_listfile "$work/train.list" --eval_listfile "$work/eval.list" \
  --max_iterations "$iterations" --target_error_rate 0.005 2>&1 | tee "$work/training.log" |
  grep --line-buffered -E "^At iteration|New best|Finished" || true

# 5. The shipped model: integer-quantised (smaller and faster, as the stock model is).
lstmtraining --stop_training --convert_to_int --continue_from "$work/checkpoints/plate_checkpoint" \
  --traineddata "$work/plate/plate.traineddata" --model_output "$root/models/plate.traineddata"
echo "train-plate-ocr: wrote $root/models/plate.traineddata; measure it with"
echo "  build/bin/anpr-edge eval MANIFEST --tessdata models --ocr-model plate"
