#!/usr/bin/env bash
# fp_coll vs nccl-tests on a GPU machine: builds nccl-tests' <coll>_perf from a source tree you
# give (the project never commits or downloads nccl-tests), runs both with the same sizes and
# loop options, and prints the fp_coll/nccl-tests busbw ratio per collective and size
# (out-of-place and in-place). Optionally compares fp_coll's MPI backend with OSU
# micro-benchmarks (osu_allreduce etc. on PATH). On a machine without packages use the GPU
# bundle instead (scripts/device-check.sh --bundle DIR --nccl-tests SRC; DIR/run).
#
# usage: bench/coll_vs_nccl_tests/run.sh --nccl-tests SRC [options]
#   --nccl-tests SRC  nccl-tests source tree (git clone https://github.com/NVIDIA/nccl-tests yourself)
#   --nccl-tests-bin DIR   prebuilt nccl-tests binaries instead of SRC
#   --fp-coll PATH    fp_coll to use (default: FP_BUILD_DIR's, brought up to date with ninja/make)
#   --gpus N          ranks (default: every visible GPU); with a launcher one process per GPU,
#                     without one, one process driving N GPUs (-g N) for both tools
#   --colls LIST      default all_reduce,all_gather,reduce_scatter,alltoall,broadcast,reduce,sendrecv
#   --sizes "-b 8 -e 256M -f 2"   nccl-tests sweep options (default as shown)
#   --iters N         -n (default 20), --warmup N -w (default 5)
#   --launcher "CMD"  e.g. "srun -n 8" or "mpiexec -n 8" (default: mpirun/mpiexec for more than
#                     one GPU when found; the flags are chosen for the MPI it belongs to)
#   --osu              also run OSU's osu_<coll> (host memory) against fp_coll --backend mpi
# Environment: FP_BUILD_DIR (default <repo>/build), CUDA_HOME (/usr/local/cuda), NCCL_HOME,
# MPI_HOME (from mpicc -show when unset). Extra NCCL_* variables apply to both tools.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
FP_SOURCE_DIR=${FP_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
FP_BUILD_DIR=${FP_BUILD_DIR:-$FP_SOURCE_DIR/build}
CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}
work=$FP_BUILD_DIR/bench/coll_vs_nccl_tests

gpus=""
colls=all_reduce,all_gather,reduce_scatter,alltoall,broadcast,reduce,sendrecv
sizes="-b 8 -e 256M -f 2"
iters=20
warmup=5
launcher=""
nt_src=""
nt_bin=""
fp_coll=""
osu=0
usage() { echo "run.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || case $1 in --osu | -h | --help) ;; *) usage "$1 needs a value (see --help)" ;; esac
  case $1 in
    --gpus) gpus=$2; shift 2 ;;
    --colls) colls=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    --iters) iters=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --launcher) launcher=$2; shift 2 ;;
    --nccl-tests) nt_src=$2; shift 2 ;;
    --nccl-tests-bin) nt_bin=$2; shift 2 ;;
    --fp-coll) fp_coll=$2; shift 2 ;;
    --osu) osu=1; shift ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) usage "unknown option $1 (see --help)" ;;
  esac
done
[ -n "$nt_src$nt_bin" ] || usage "--nccl-tests SRC (nccl-tests source tree) or --nccl-tests-bin DIR is required"
[ -z "$nt_src" ] || [ -f "$nt_src/src/all_reduce.cu" ] || usage "--nccl-tests $nt_src: not an nccl-tests source tree"
[ -z "$nt_bin" ] || [ -d "$nt_bin" ] || usage "--nccl-tests-bin $nt_bin: not a directory"

# --- fp_coll: the given one, else the build folder's, rebuilt when its sources changed --------
if [ -z "$fp_coll" ]; then
  fp_coll=$FP_BUILD_DIR/collectives/fp_coll
  if [ -f "$FP_BUILD_DIR/build.ninja" ]; then
    ninja -C "$FP_BUILD_DIR" fp_coll >&2 || { echo "run.sh: building fp_coll failed" >&2; exit 1; }
  elif [ -f "$FP_BUILD_DIR/Makefile" ]; then
    make -C "$FP_BUILD_DIR" fp_coll >&2 || { echo "run.sh: building fp_coll failed" >&2; exit 1; }
  fi
fi
[ -x "$fp_coll" ] || { echo "run.sh: no fp_coll at $fp_coll (configure $FP_BUILD_DIR with NCCL, or --fp-coll)" >&2; exit 1; }
command -v nvidia-smi >/dev/null || { echo "run.sh: no nvidia-smi: this needs a GPU machine" >&2; exit 1; }
[ -n "$gpus" ] || gpus=$(nvidia-smi -L | grep -c '^GPU')
[ "$gpus" -ge 1 ] || { echo "run.sh: no GPU visible" >&2; exit 1; }
mkdir -p "$work"

# --- the launcher: flags of the MPI it belongs to, none that only one MPI knows ----------------
if [ -z "$launcher" ] && [ "$gpus" -gt 1 ]; then
  for l in mpirun mpiexec; do
    command -v "$l" >/dev/null || continue
    launcher="$l -np $gpus"
    # Open MPI alone refuses root without this flag and wants --oversubscribe beyond its slots.
    if "$l" --version 2>&1 | grep -q 'Open MPI'; then
      [ "$(id -u)" = 0 ] && launcher="$l --allow-run-as-root -np $gpus"
      launcher="$launcher --oversubscribe"
    fi
    break
  done
fi
use_mpi=0
[ -n "$launcher" ] && use_mpi=1

# --- nccl-tests, built from the given source into the build folder ----------------------------
if [ -z "$nt_bin" ]; then
  nt_bin=$work/nccl-tests-build
  cc=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1 | tr -d '.[:space:]')
  make_args=(-C "$nt_src/src" -j "$(nproc)" BUILDDIR="$nt_bin" CUDA_HOME="$CUDA_HOME"
    NVCC_GENCODE="-gencode=arch=compute_${cc:-90},code=sm_${cc:-90}")
  [ -n "${NCCL_HOME:-}" ] && make_args+=(NCCL_HOME="$NCCL_HOME")
  if [ $use_mpi = 1 ]; then
    mpi_home=${MPI_HOME:-}
    if [ -z "$mpi_home" ] && command -v mpicc >/dev/null; then  # the -I of mpi.h, from any MPI's wrapper
      inc=$(mpicc -show 2>/dev/null | tr ' ' '\n' | sed -n 's/^-I//p' | while read -r d; do
        [ -f "$d/mpi.h" ] && echo "$d" && break; done)
      [ -n "$inc" ] && mpi_home=$(dirname "$inc")
    fi
    [ -n "$mpi_home" ] || { echo "run.sh: a launcher needs nccl-tests built with MPI: set MPI_HOME" >&2; exit 1; }
    make_args+=(MPI=1 MPI_HOME="$mpi_home")
  fi
  targets=()
  for coll in ${colls//,/ }; do targets+=("$nt_bin/${coll}_perf"); done
  echo "# building nccl-tests from $nt_src in $nt_bin (MPI=$use_mpi)" >&2
  make "${make_args[@]}" "${targets[@]}" >"$work/nccl-tests-build.log" 2>&1 ||
    { tail -20 "$work/nccl-tests-build.log"; exit 1; }
fi

# Per process: -g N without MPI (one process, N GPUs), -g 1 with one process per GPU.
per_process=1
[ $use_mpi = 1 ] || per_process=$gpus
read -r -a launch <<<"$launcher"
read -r -a sweep <<<"$sizes"
loop=(-n "$iters" -w "$warmup" -c 0 -g "$per_process")

results=$work/results
mkdir -p "$results"
for coll in ${colls//,/ }; do
  echo "# $coll: nccl-tests" >&2
  "${launch[@]}" "$nt_bin/${coll}_perf" "${sweep[@]}" "${loop[@]}" >"$results/$coll.nccl-tests.txt"
  echo "# $coll: fp_coll" >&2
  "${launch[@]}" "$fp_coll" --backend nccl --coll "$coll" "${sweep[@]}" "${loop[@]}" \
    --json "$results/$coll.fp_coll.json" >"$results/$coll.fp_coll.txt"
done

/usr/bin/python3 - "$results" "$colls" <<'PY'
import json, sys, pathlib
results, colls = pathlib.Path(sys.argv[1]), sys.argv[2].split(",")

def nccl_tests_rows(path):
    rows = {}
    for line in path.read_text().splitlines():
        f = line.split()
        if not f or line.startswith("#") or not f[0].isdigit() or len(f) < 13:
            continue
        rows[int(f[0])] = (float(f[7]), float(f[11]))  # busbw out-of-place, in-place
    return rows

print("%-15s %12s %12s %12s %7s %12s %12s %7s" % ("coll", "size(B)", "nt oop", "fp oop", "ratio",
                                                  "nt ip", "fp ip", "ratio"))
for coll in colls:
    nt = nccl_tests_rows(results / (coll + ".nccl-tests.txt"))
    doc = json.loads((results / (coll + ".fp_coll.json")).read_text())
    fp = {}
    for r in doc["results"]:
        fp.setdefault(r["size_bytes"], [0.0, 0.0])[1 if r["in_place"] else 0] = r["busbw_GBps"]
    for size in sorted(set(nt) & set(fp)):
        (nto, nti), (fpo, fpi) = nt[size], fp[size]
        ratio = lambda a, b: "%7.3f" % (a / b) if b > 0 else "    n/a"
        print("%-15s %12d %12.2f %12.2f %s %12.2f %12.2f %s" % (coll, size, nto, fpo, ratio(fpo, nto),
                                                                 nti, fpi, ratio(fpi, nti)))
PY

# --- optional: fp_coll's MPI backend vs OSU micro-benchmarks (host memory) ----------------------
if [ $osu = 1 ]; then
  for coll in ${colls//,/ }; do
    osu_name=osu_${coll//_/}
    [ "$coll" = all_gather ] && osu_name=osu_allgather
    [ "$coll" = reduce_scatter ] && osu_name=osu_reduce_scatter
    [ "$coll" = broadcast ] && osu_name=osu_bcast
    command -v "$osu_name" >/dev/null || { echo "# $osu_name not on PATH: skipped" >&2; continue; }
    echo "# $coll: $osu_name vs fp_coll --backend mpi (average latency, us)"
    "${launch[@]}" "$osu_name" -m 8:1048576 -i "$iters" >"$results/$coll.osu.txt"
    "${launch[@]}" "$fp_coll" --backend mpi --coll "$coll" -b 8 -e 1M -f 2 -n "$iters" -c 0 \
      --json "$results/$coll.fp_mpi.json" >/dev/null
    /usr/bin/python3 - "$results/$coll.osu.txt" "$results/$coll.fp_mpi.json" <<'PY'
import json, sys
osu = {}
for line in open(sys.argv[1]):
    f = line.split()
    if f and f[0].isdigit():
        osu[int(f[0])] = float(f[1])
fp = {r["size_bytes"]: r["time_us"] for r in json.load(open(sys.argv[2]))["results"] if not r["in_place"]}
print("%12s %12s %12s %7s" % ("size(B)", "osu us", "fp_coll us", "ratio"))
for s in sorted(set(osu) & set(fp)):
    print("%12d %12.2f %12.2f %7.3f" % (s, osu[s], fp[s], fp[s] / osu[s] if osu[s] else 0))
PY
  done
fi
