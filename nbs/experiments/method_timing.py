"""Seconds per call of every method on the embedded puppet model, side by side in one run (interleaved repetitions).

    python nbs/experiments/method_timing.py --reps 3 > nbs/experiments/results/timing/method-timing.json

One test-split pair, a short LoRA finetune (its weights stay applied, as in `generate`), 50 DDIM steps, 2 seeds per
call, 1 torch thread. Reports the median seconds per call (`seconds_per_call`: one call makes 2 images) of each method
and its ratio to Baseline++ (plain sampling with the finetuned model), measured in the same run so that the ratios
compare like with like.
"""
import argparse, json, platform, statistics, time

METHODS = ('baseline++', 'imposter', 'imposter-calibrated', 'imposter-x0', 'imposter-tuned', 'sdedit', 'inversion', 'cross-image', 'masactrl', 'ctrl-x')

def main(reps, finetune_steps, seeds):
    import torch
    torch.set_num_threads(1)
    from imposter import finetune, models
    from imposter.puppet_bench import load_benchmark
    from imposter.methods import generate
    pipe = models.load_pipeline(None, device='cpu')
    r = {x['pair_id']: x for x in load_benchmark(split='test')}[8]
    art = finetune.finetune(pipe, r['source_image'], r['driving_image'], r['source_prompt'], r['driving_prompt'],
                            steps=finetune_steps, progress=False)
    times = {m: [] for m in METHODS}
    for m in METHODS: generate(pipe, art, m, seeds=seeds, progress=False)   # warm-up: one call each, not timed
    for _ in range(reps):
        for m in METHODS:
            t = time.perf_counter(); generate(pipe, art, m, seeds=seeds, progress=False)
            times[m].append(time.perf_counter() - t)
    base = statistics.median(times['baseline++'])
    out = dict(machine=f"{platform.machine()}, {torch.get_num_threads()} torch thread", model='embedded puppet model (64 px, 4x16x16 latents)',
               steps=50, seeds_per_call=len(seeds), reps=reps,
               seconds_per_call={m: round(statistics.median(v), 3) for m, v in times.items()},
               deterministic=['inversion', 'cross-image', 'masactrl'],   # one image per call, repeated per seed
               ratio_to_baseline={m: round(statistics.median(v) / base, 2) for m, v in times.items()})
    print(json.dumps(out, indent=1))

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--reps', type=int, default=3); ap.add_argument('--finetune-steps', type=int, default=50)
    a = ap.parse_args(); main(a.reps, a.finetune_steps, [0, 1])
