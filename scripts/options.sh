# shellcheck shell=bash
# Sourced by scripts/demo.sh and models/train-*.sh: their command-line handling, written once.

# parse_options NAME OPTION=DEFAULT... -- ARG...
# Sets the variable of each OPTION's name, dashes as underscores, to its DEFAULT, then to the value
# of each `--OPTION VALUE` pair among the ARGs (`uk-font=none` declares --uk-font and sets
# uk_font=none until `--uk-font F` sets uk_font=F). -h or --help prints the script's opening
# comment (its usage) and exits 0. An option not declared, or one without its value, exits 2 with
# a message that starts with NAME.
parse_options() {
  local name=$1 known=" " option
  shift
  while [[ $1 != -- ]]; do
    option=${1%%=*}
    known+="$option "
    printf -v "${option//-/_}" '%s' "${1#*=}"
    shift
  done
  shift
  while [[ $# -gt 0 ]]; do
    case $1 in
      -h|--help) awk 'NR > 1 { if (!/^#/) exit; print }' "$0"; exit 0 ;;
      --?*) option=${1#--} ;;
      *) option= ;;
    esac
    if [[ -z $option || $known != *" $option "* ]]; then
      echo "$name: unknown argument '$1' (see --help)" >&2
      exit 2
    fi
    [[ $# -ge 2 ]] || { echo "$name: $1 needs a value (see --help)" >&2; exit 2; }
    printf -v "${option//-/_}" '%s' "$2"
    shift 2
  done
}
