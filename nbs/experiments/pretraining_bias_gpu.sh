#!/usr/bin/env bash
# Issue 9's bias gate on one GPU, in one call: seven pretraining candidates side by side, each retrained (text encoder and
# UNet; the shipped VAE and judge) and gated exactly as `pretraining_bias.py run` does on the CPU, then read by caption
# kind (`groups --only`). Two new knobs beside the standing share: a frozen, randomly initialised text encoder
# (`--frozen-text`: only the UNet learns, as SD's UNet learns beside a frozen CLIP) and more UNet steps (`--unet-steps`).
# The candidate at standing 0.9 with the shipped knobs repeats the CPU's runs/bias90, so GPU and CPU training can be
# compared on one recipe. Before them, the toy recipe runs through `train_puppets` on CUDA end to end (every stage, the
# gates and the model card). After them, if time is left, `gpu_pair.py` at SD 2.1-base shapes (random weights, 512 px).
#
#     bash nbs/experiments/pretraining_bias_gpu.sh OUT_DIR        # on a CUDA machine, from the repository root
#
# OUT_DIR receives bias-gpu.tar.gz (every candidate's metrics, gates, by-group rows, model card, logs and the toy check),
# and gpu-pair.json if it ran. Budget: candidates are stopped after CAND_S seconds (default 430).
# Seven side by side share one GPU by turns: on an H200 they made about 11.5 UNet it/s each and were stopped at 3,800-3,900
# steps, before any gate, within 420 s (results/gpu-h200/README.md). Give them a longer CAND_S, or run three at a time.
set -u
out=${1:?give the output folder}; mkdir -p "$out" runs
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
t0=$(date +%s); cand_s=${CAND_S:-430}
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader > runs/gpu-device.txt
python3 -c "import torch, diffusers, transformers, peft; print('torch', torch.__version__, 'diffusers', diffusers.__version__, 'transformers', transformers.__version__, 'peft', peft.__version__, 'cuda', torch.cuda.get_device_name())" >> runs/gpu-device.txt

toy() {   # the whole training command at toy sizes on CUDA: data, VAE, UNet, judge, benchmark, gates, card
  python3 -c "
from imposter.puppet_train import train_puppets, toy_recipe
m = train_puppets('runs/gpu-toy/out', 'runs/gpu-toy/work', toy_recipe(), 'cuda', False, True, False, 'toy check on CUDA')
print('toy on cuda: ok;', ', '.join(f'{k}={v:.3f}' for k, v in m.items() if isinstance(v, float)))"
}
cand() {  # name, then the run's arguments
  local name=$1; shift
  timeout "$cand_s" python3 nbs/experiments/pretraining_bias.py --device cuda run --threads 2 --work "runs/$name" "$@" \
    && python3 nbs/experiments/pretraining_bias.py --device cuda groups --only "runs/$name"
}
toy > runs/gpu-toy.log 2>&1 &
cand gpu-s90 --standing 0.9 > runs/gpu-s90.log 2>&1 &
cand gpu-s90-frozen --standing 0.9 --frozen-text > runs/gpu-s90-frozen.log 2>&1 &
cand gpu-s60-frozen --standing 0.6 --frozen-text > runs/gpu-s60-frozen.log 2>&1 &
cand gpu-s93-frozen --standing 0.93 --frozen-text > runs/gpu-s93-frozen.log 2>&1 &
cand gpu-s90-u8k --standing 0.9 --unet-steps 8000 > runs/gpu-s90-u8k.log 2>&1 &
cand gpu-s93-u8k --standing 0.93 --unet-steps 8000 > runs/gpu-s93-u8k.log 2>&1 &
cand gpu-s95-u8k --standing 0.95 --unet-steps 8000 > runs/gpu-s95-u8k.log 2>&1 &
wait
echo "candidates done after $(( $(date +%s) - t0 )) s"
left=$(( ${TOTAL_S:-540} - ($(date +%s) - t0) ))
if [ "$left" -gt 100 ]; then
  timeout $(( left - 20 )) python3 nbs/experiments/gpu_pair.py --finetune-steps 100 --full-steps 20 --reps 3 --out "$out/gpu-pair.json" \
    > runs/gpu-pair.log 2>&1; echo "gpu_pair: rc $? after $(( $(date +%s) - t0 )) s"
fi
python3 - "$out" <<'PY'   # the weights of every candidate that passes the seen and the bias gates (at most 4)
import json, sys, tarfile
from pathlib import Path
ok = [m for m in sorted(Path('runs').glob('gpu-*/metrics.json')) if (lambda d: d['metrics']['seen_subject'] >= .8 and d['metrics']['seen_action'] >= .7
      and d['metrics']['unseen_wrong_action'] >= .6)(json.loads(m.read_text()))]
for m in ok[:4]:
    with tarfile.open(f'{sys.argv[1]}/{m.parent.name}-model.tar.gz', 'w:gz') as t:
        for part in ('unet', 'text_encoder', 'tokenizer', 'model_index.json', 'imposter.json', 'scheduler'): t.add(m.parent/'out'/'puppet-sd'/part)
print('candidates passing seen and bias:', [m.parent.name for m in ok])
PY
tar czf "$out/bias-gpu.tar.gz" runs/gpu-device.txt runs/gpu-*.log \
  $(find runs/gpu-* -maxdepth 3 \( -name '*.json' -o -name 'README.md' -o -name '*.png' \) -size -2M 2>/dev/null)
ls -la "$out"; tail -n 3 runs/gpu-*.log
