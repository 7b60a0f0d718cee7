"""Measure the core library on this machine: finetune speed, sampling speed, guided/unguided time ratio, and the RMS
latent displacement per step of the guidance at the paper's literal scales and at the calibrated defaults.

    python nbs/experiments/core_measurements.py --model tiny      # tiny random pipeline (the tests' model)
    python nbs/experiments/core_measurements.py --model embedded  # the embedded puppet model in data/puppet-sd

Writes nbs/experiments/results/timing/core_measurements-<model>.json (or --out) and prints a table.
"""
import argparse, json, platform, statistics, time
from pathlib import Path

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument('--model', default='tiny', choices=['tiny', 'embedded'])
p.add_argument('--reps', type=int, default=5)
p.add_argument('--threads', type=int, help="torch CPU threads (default: torch's)")
p.add_argument('--out', help='the JSON to write (default: results/timing/core_measurements-<model>.json)')
a = p.parse_args()   # before torch loads: --help answers at once

import numpy as np, torch
from PIL import Image
from imposter.models import tiny_pipeline, load_pipeline
from imposter.finetune import finetune
from imposter.methods import sample, PRESETS
if a.threads: torch.set_num_threads(a.threads)

if a.model == 'tiny':
    pipe = tiny_pipeline()
    rng = np.random.default_rng(0)
    src, drv = (Image.fromarray(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)) for _ in range(2))
    prompts = ('a monkey', 'a woman playing violin')
else:
    from imposter.puppet_bench import load_benchmark
    pipe = load_pipeline(None, 'cpu')
    r = {r['pair_id']: r for r in load_benchmark()}[8]
    src, drv, prompts = r['source_image'], r['driving_image'], (r['source_prompt'], r['driving_prompt'])

res = dict(model=a.model, machine=f'{platform.processor() or platform.machine()}, {torch.get_num_threads()} torch threads', torch=torch.__version__)
t = time.perf_counter(); art = finetune(pipe, src, drv, *prompts, steps=100, progress=False)
res['finetune_it_per_s'] = round(100 / (time.perf_counter() - t), 2)

seeds = [0, 1, 2, 3]
sample(pipe, art, 'no-guidance', [0], steps=5, progress=False)  # warm-up
timings = {'no-guidance': [], 'imposter': [], 'imposter-calibrated': []}
for _ in range(a.reps):   # interleaved, same seeds, so that machine load hits every preset alike
    for pre in timings:
        t = time.perf_counter(); sample(pipe, art, pre, seeds, steps=50, progress=False); timings[pre].append(time.perf_counter() - t)
med = {k: statistics.median(v) for k, v in timings.items()}
res['seconds_per_image_50_steps'] = round(med['no-guidance'] / len(seeds), 3)
res['guided_over_unguided'] = {k: round(med[k] / med['no-guidance'], 3) for k in ('imposter', 'imposter-calibrated')}

disp = {}
for pre in ('imposter', 'imposter-calibrated', 'no-phase', 'no-amplitude'):
    tr = sample(pipe, art, pre, seeds, steps=50, trace=True, progress=False).trace
    d = torch.stack(tr['displacement'][:-1])  # the last step has no guidance
    disp[pre] = dict(mean=float(d.mean()), min=float(d.min()), max=float(d.max()), **{k: getattr(PRESETS[pre].params, k) for k in ('s_a', 's_p', 'scale_mode')})
res['rms_displacement_per_step_relative'] = disp
out = Path(a.out or Path(__file__).parent / 'results' / 'timing' / f'core_measurements-{a.model}.json')
out.write_text(json.dumps(res, indent=1))
print(json.dumps(res, indent=1))
