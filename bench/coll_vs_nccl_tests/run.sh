#!/usr/bin/env bash
# fp_coll vs nccl-tests on a GPU machine: builds nccl-tests beside the project (fetched at run
# time into the build folder, never committed), runs both with the same sizes and loop options,
# and prints the fp_coll/nccl-tests busbw ratio per collective and size (out-of-place and
# in-place). Optionally compares fp_coll's MPI backend with OSU micro-benchmarks (osu_allreduce
# etc. on PATH).
#
# usage: bench/coll_vs_nccl_tests/run.sh [options]
#   --gpus N          ranks (default: every visible GPU); with mpirun one process per GPU,
#                     without MPI one process driving N GPUs (-g N) for both tools
#   --colls LIST      default all_reduce,all_gather,reduce_scatter,alltoall,broadcast,reduce,sendrecv
#   --sizes "-b 8 -e 256M -f 2"   nccl-tests sweep options (default as shown)
#   --iters N         -n (default 20), --warmup N -w (default 5)
#   --launcher "mpirun --allow-run-as-root -np 8"   override the launcher (default: mpirun when found)
#   --nccl-tests-ref TAG   git tag/branch of NVIDIA/nccl-tests (default v2.19.6)
#   --nccl-tests-dir DIR   use an existing nccl-tests build instead of fetching
#   --osu              also run OSU's osu_<coll> (host memory) against fp_coll --backend mpi
# Environment: FP_BUILD_DIR (default <repo>/build), CUDA_HOME (/usr/local/cuda), NCCL_HOME,
# MPI_HOME (from mpicc when unset). Extra NCCL_* variables apply to both tools.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
FP_SOURCE_DIR=${FP_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
FP_BUILD_DIR=${FP_BUILD_DIR:-$FP_SOURCE_DIR/build}
CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}
fp_coll=$FP_BUILD_DIR/collectives/fp_coll
work=$FP_BUILD_DIR/bench/coll_vs_nccl_tests

gpus=""
colls=all_reduce,all_gather,reduce_scatter,alltoall,broadcast,reduce,sendrecv
sizes="-b 8 -e 256M -f 2"
iters=20
warmup=5
launcher=""
ref=v2.19.6
nt_dir=""
osu=0
while [ $# -gt 0 ]; do
  case $1 in
    --gpus) gpus=$2; shift 2 ;;
    --colls) colls=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    --iters) iters=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --launcher) launcher=$2; shift 2 ;;
    --nccl-tests-ref) ref=$2; shift 2 ;;
    --nccl-tests-dir) nt_dir=$2; shift 2 ;;
    --osu) osu=1; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

[ -x "$fp_coll" ] || { echo "run.sh: build fp_coll first (ninja -C $FP_BUILD_DIR fp_coll)" >&2; exit 1; }
command -v nvidia-smi >/dev/null || { echo "run.sh: no nvidia-smi: this needs a GPU machine" >&2; exit 1; }
[ -n "$gpus" ] || gpus=$(nvidia-smi -L | grep -c '^GPU')
[ "$gpus" -ge 1 ] || { echo "run.sh: no GPU visible" >&2; exit 1; }
mkdir -p "$work"

# --- nccl-tests, fetched and built at run time --------------------------------------------------
use_mpi=0
if [ -z "$launcher" ] && command -v mpirun >/dev/null && [ "$gpus" -gt 1 ]; then
  launcher="mpirun --allow-run-as-root --oversubscribe -np $gpus"
fi
[[ "$launcher" == *mpirun* || "$launcher" == *srun* ]] && use_mpi=1
if [ -z "$nt_dir" ]; then
  nt_dir=$work/nccl-tests
  if [ ! -d "$nt_dir/.git" ]; then
    git clone --quiet --depth 1 --branch "$ref" https://github.com/NVIDIA/nccl-tests "$nt_dir"
  fi
  make_args=(-C "$nt_dir" -j "$(nproc)" CUDA_HOME="$CUDA_HOME")
  [ -n "${NCCL_HOME:-}" ] && make_args+=(NCCL_HOME="$NCCL_HOME")
  if [ $use_mpi = 1 ]; then
    mpi_home=${MPI_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v mpicc)")")")}
    make_args+=(MPI=1 MPI_HOME="$mpi_home")
    # Debian/Ubuntu keep OpenMPI's headers and libraries under lib/x86_64-linux-gnu/openmpi.
    if [ -d /usr/lib/x86_64-linux-gnu/openmpi/include ] && [ ! -f "$mpi_home/include/mpi.h" ]; then
      make_args+=(MPI_HOME=/usr/lib/x86_64-linux-gnu/openmpi)
    fi
  fi
  echo "# building nccl-tests $ref in $nt_dir (MPI=$use_mpi)" >&2
  make "${make_args[@]}" >"$work/nccl-tests-build.log" 2>&1 || { tail -20 "$work/nccl-tests-build.log"; exit 1; }
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
  "${launch[@]}" "$nt_dir/build/${coll}_perf" "${sweep[@]}" "${loop[@]}" >"$results/$coll.nccl-tests.txt"
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
