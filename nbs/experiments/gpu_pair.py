"""The paper's unit of work on an SD 2.1-base-shaped model, stage by stage: 500 LoRA steps on one pair, then one 50-step ImPoster image.

    python nbs/experiments/gpu_pair.py --out gpu-pair.json                       # a GPU: random SD 2.1-base weights, 512 px
    python nbs/experiments/gpu_pair.py --model stabilityai/stable-diffusion-2-1-base --out gpu-pair-real.json
    python nbs/experiments/gpu_pair.py --dtype bfloat16 --fused-adam --channels-last --compile --out gpu-pair-levers.json   # bf16
    python nbs/experiments/gpu_pair.py --size 64 --finetune-steps 4 --steps 4 --full-steps 0 --reps 2 --threads 1 \\
        --out nbs/experiments/results/timing/gpu-pair-cpu.json                   # the CPU check of the script itself

The model is `imposter.sd21.sd21_pipeline` (SD 2.1-base's exact shapes, seeded random weights: its compute and memory,
its images noise) unless `--model` names a hub id or a folder. In one run, each stage timed, with its peak memory
(CUDA's peak allocation on a GPU; elsewhere the process's peak resident memory so far, which only grows):

* `finetune`: the library's `finetune` (LoRA rank 4 on the attention projections, both images in one batch, latents and
  caption embeddings computed once), `--finetune-steps` iterations.
* `finetune_levers`: the same finetune written out with its levers as flags (`--separate-batches`, `--no-cache`,
  `--fused-adam`); with none of them it is the library's recipe, and its losses must then equal `finetune`'s (on a GPU,
  within `loss_rtol`: CUDA's kernels are not deterministic).
* `authors_finetune`: the finetune as the authors' code does it, `finetune(method='full')`: every UNet weight, two
  sequential batch-1 steps per iteration (`--full-steps` iterations; 0 skips it).
* `sample`: with the finetuned LoRA applied, `--reps` interleaved repetitions (after one untimed warm-up of each) of a
  plain diffusers text-to-image call on the base model (the floor: no LoRA, no callback), ImPoster with the guidance off
  (`imposter-calibrated` with s_a = s_p = 0: stepwise prompting only) and on (`imposter-calibrated`); the ratios compare
  medians of the same run.

Levers on the whole pipeline: `--dtype` and `--precision` (the weights' dtype, and the finetunes' autocast: `auto` computes a
LoRA finetune in the dtype of a half-precision model, so `--dtype bfloat16` runs everything in bf16), `--no-sdpa` (diffusers'
classic attention instead of its default `AttnProcessor2_0`, torch's scaled-dot-product attention), `--channels-last`
(the UNet's memory format), `--compile` (`unet.compile()`). The JSON records the exact command.
"""
import argparse, json, os, platform, resource, shlex, statistics, sys, time
from pathlib import Path

def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split('\n', 2)[2])
    ap.add_argument('--model', help='a hub id or a local pipeline folder (default: SD 2.1-base shapes with random weights)')
    ap.add_argument('--size', type=int, help='image side of the random-weight model, a multiple of 64 (default 512)')
    ap.add_argument('--finetune-steps', type=int, default=500, help="LoRA finetune iterations (the paper's 500)")
    ap.add_argument('--full-steps', type=int, default=500, help="iterations of the authors' whole-UNet finetune; 0 skips it")
    ap.add_argument('--steps', type=int, default=50, help='DDIM steps of each image')
    ap.add_argument('--reps', type=int, default=3, help='timed repetitions of each sampling call')
    ap.add_argument('--device', choices=['cuda', 'cpu', 'mps'], help='default: cuda, else mps, else cpu')
    ap.add_argument('--dtype', choices=['float32', 'float16', 'bfloat16'], help="the weights' dtype (default: float16 on cuda, else float32)")
    ap.add_argument('--precision', default='auto', choices=['auto', 'fp32', 'bf16', 'fp16'], help="the finetunes' autocast (see finetune)")
    ap.add_argument('--no-sdpa', action='store_true', help="diffusers' classic attention instead of torch's scaled-dot-product attention")
    ap.add_argument('--separate-batches', action='store_true', help='lever finetune: source and driving as two sequential batch-1 steps')
    ap.add_argument('--no-cache', action='store_true', help='lever finetune: encode both images and captions again at every iteration')
    ap.add_argument('--fused-adam', action='store_true', help="lever finetune: torch's fused Adam (AdamW with weight decay 0)")
    ap.add_argument('--channels-last', action='store_true', help="the UNet's weights in channels-last memory format")
    ap.add_argument('--compile', action='store_true', help='torch.compile the UNet (unet.compile())')
    ap.add_argument('--threads', type=int, help='torch CPU threads (default: torch\'s)')
    ap.add_argument('--out', required=True, help='the JSON file to write')
    return ap

if __name__ == '__main__': ARGS = parser().parse_args()   # before torch loads: --help answers at once

import numpy as np, torch
from PIL import Image

SOURCE_PROMPT, DRIVING_PROMPT = 'a monkey', 'a woman playing violin'

def sync(dev):
    if dev.type == 'cuda': torch.cuda.synchronize(dev)

def reset_peak(dev):
    if dev.type == 'cuda': torch.cuda.reset_peak_memory_stats(dev)

def peak_gib(dev) -> float:
    "CUDA's peak allocation since the last reset on a GPU; elsewhere the process's peak resident memory since it started."
    if dev.type == 'cuda': return round(torch.cuda.max_memory_allocated(dev) / 2**30, 2)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2)

def timed(dev, fn):
    "(result, seconds, peak GiB) of `fn()`, with the device synchronised around it."
    reset_peak(dev); sync(dev); t = time.perf_counter()
    out = fn(); sync(dev)
    return out, round(time.perf_counter() - t, 3), peak_gib(dev)

def iteration_times(stamps) -> dict:
    "The first iteration (warm-up) and the median of the others, from the time stamps of iteration ends (the start first)."
    d = np.diff(stamps)
    return dict(first_iteration_s=round(float(d[0]), 3), per_iteration_s=round(float(np.median(d[1:] if len(d) > 1 else d)), 4))

def check_args(a):
    "One clear error for a bad argument, before any work."
    for name in ('finetune_steps', 'steps', 'reps'):
        if getattr(a, name) < 1: raise SystemExit(f"--{name.replace('_', '-')} must be at least 1, got {getattr(a, name)}.")
    if a.full_steps < 0: raise SystemExit(f"--full-steps must be at least 0 (0 skips the authors' finetune), got {a.full_steps}.")
    if a.model is not None and a.size is not None:
        raise SystemExit("--size sets the random-weight model's resolution; a model given with --model runs at its own, so drop --size.")
    if a.size is not None and (a.size < 64 or a.size % 64): raise SystemExit(f"--size must be a multiple of 64, got {a.size}.")
    if a.device == 'cuda' and not torch.cuda.is_available(): raise SystemExit("--device cuda, but torch sees no CUDA GPU here.")
    out = Path(a.out).resolve()
    if not out.parent.is_dir() or not os.access(out.parent, os.W_OK):
        raise SystemExit(f"--out {a.out}: the folder {out.parent} does not exist or cannot be written.")
    if a.compile and not hasattr(torch.nn.Module, 'compile'): raise SystemExit("--compile needs torch >= 2.2 (nn.Module.compile).")

def load(a, dev, dtype):
    "The pipeline: the model given, or SD 2.1-base's shapes with random weights, with the pipeline-wide levers applied."
    from imposter.models import load_pipeline
    from imposter.sd21 import sd21_pipeline, check_sd21_shapes
    if a.model: pipe = load_pipeline(a.model, device=dev, dtype=dtype)
    else:
        pipe = sd21_pipeline(seed=0, size=a.size or 512, dtype=dtype, device=dev)
        check_sd21_shapes(pipe)
    pipe.set_progress_bar_config(disable=True)
    if a.no_sdpa:
        from diffusers.models.attention_processor import AttnProcessor
        pipe.unet.set_attn_processor(AttnProcessor()); pipe.vae.set_attn_processor(AttnProcessor())
    if a.channels_last: pipe.unet.to(memory_format=torch.channels_last)
    if a.compile: pipe.unet.compile()
    return pipe

def pair(size:int, seed:int=0) -> list:
    "Two seeded random images of the model's size: the content does not change the time of a step."
    rng = np.random.default_rng(seed)
    return [Image.fromarray(rng.integers(0, 256, (size, size, 3), dtype=np.uint8)) for _ in range(2)]

# The library's LoRA recipe (`finetune.finetune`), step by step, from its public pieces (make_trainable, draw_noise,
# batch_loss, optimiser_step, restore_trainable) with the levers around them; `same_losses_as_finetune` checks the
# result against `finetune` itself.

def lever_finetune(pipe, imgs, steps, lr, precision, seed=0, rank=4, one_batch=True, cache=True, fused=False, stamps=None) -> list:
    "The library's LoRA finetune written out with three levers; with one batch, the cache and plain Adam it is `finetune`'s recipe. The losses."
    from diffusers import DDPMScheduler
    from imposter.finetune import AMP_DTYPES, finetune_defaults, make_trainable, restore_trainable, draw_noise, batch_loss, optimiser_step
    from imposter.models import encode_image, encode_text
    unet, dev = pipe.unet, pipe.device
    g = torch.Generator().manual_seed(seed)
    def encode(gen):   # as `finetune` does: both latents drawn from `gen`, then both captions
        return (torch.cat([encode_image(pipe, im, gen) for im in imgs]),
                torch.cat([encode_text(pipe, p) for p in (SOURCE_PROMPT, DRIVING_PROMPT)]))
    latents, embeds = encode(g)
    sched = DDPMScheduler.from_config(pipe.scheduler.config)
    was_training = unet.training
    make_trainable(unet, 'lora', rank, seed, finetune_defaults(pipe, 'lora')['targets'])   # the modules `finetune` adapts on this model
    opt = torch.optim.Adam([p for p in unet.parameters() if p.requires_grad], lr=lr, fused=True if fused else None)
    amp_dtype, scaler = AMP_DTYPES[precision], (torch.amp.GradScaler(dev.type) if precision == 'fp16' else None)
    losses = []
    try:
        unet.train()
        for _ in range(steps):
            if not cache: latents, embeds = encode(torch.Generator().manual_seed(seed))   # the same values, computed again
            batch = (latents, embeds, *draw_noise(latents, g, sched.config.num_train_timesteps))
            parts = [batch] if one_batch else [tuple(x[i:i + 1] for x in batch) for i in (0, 1)]   # each image with its own draws
            step = []
            for b in parts:
                loss = batch_loss(unet, sched, b, dev, amp_dtype); optimiser_step(loss, opt, scaler); step.append(loss.item())
            losses.append(sum(step) / len(step))
            if stamps is not None: stamps.append(time.perf_counter())
    finally: restore_trainable(unet, 'lora', None, unet.dtype, was_training)
    return losses

def max_rel_diff(a:list, b:list) -> float:
    "The largest |a - b| / |b| over two equally long loss curves (inf when their lengths differ)."
    if len(a) != len(b): return float('inf')
    return max((abs(x - y) / max(abs(y), 1e-12) for x, y in zip(a, b)), default=0.0)

def loss_rtol(dev, dtype) -> float:
    """How far the written-out finetune's losses may stray from `finetune`'s and still be the same recipe. A CPU runs both
    bit for bit alike (0). CUDA's fastest kernels are not deterministic (atomic sums in the backward passes), so the two
    curves part by rounding that Adam carries forward. Bounds, not yet measured on a GPU (the JSON records the measured
    difference beside them): 1% per iteration in float32, 5% in half precision."""
    if dev.type == 'cpu': return 0.0
    return 0.01 if dtype == torch.float32 else 0.05

def finetune_stage(dev, run, steps) -> dict:
    "Time a finetune `run(stamps)` that appends a time stamp after each iteration and returns (losses, settings)."
    stamps = [time.perf_counter()]
    (losses, settings), s, m = timed(dev, lambda: run(stamps))
    return dict(seconds=s, peak_gib=m, iterations=steps, **iteration_times(stamps), precision=settings.get('precision'),
                first_loss=round(losses[0], 5), last_loss=round(losses[-1], 5), losses=losses)

def sampling_stage(pipe, art, steps, reps, dev) -> dict:
    "Plain text-to-image (base model), ImPoster with guidance off and on (LoRA applied), interleaved: median seconds and peak memory."
    from imposter.models import model_size
    from imposter.methods import sample, PRESETS
    size, K = model_size(pipe), min(PRESETS['imposter-calibrated'].params.K, steps - 1)
    calls = {'plain': lambda: pipe(prompt=art.target_prompt, num_inference_steps=steps, guidance_scale=7.5, height=size, width=size,
                                   generator=torch.Generator().manual_seed(0)).images,
             'guidance_off': lambda: sample(pipe, art, 'imposter-calibrated', steps=steps, K=K, s_a=0., s_p=0., progress=False).images,
             'guidance_on': lambda: sample(pipe, art, 'imposter-calibrated', steps=steps, K=K, progress=False).images}
    times, peaks = {k: [] for k in calls}, {k: 0. for k in calls}
    for rep in range(reps + 1):   # rep 0 warms each call up and is not counted
        for k, call in calls.items():
            if k == 'plain': art.remove(pipe)   # the floor: the base model, no LoRA
            else: art.apply(pipe)
            _, s, m = timed(dev, call)
            if rep: times[k].append(s); peaks[k] = max(peaks[k], m)
    art.remove(pipe)
    out = {k: dict(median_s=round(statistics.median(v), 3), seconds=v, peak_gib=peaks[k]) for k, v in times.items()}
    return dict(steps=steps, K=K, cfg=7.5, reps=reps, **out)

def full_finetune_gib(pipe, dev) -> float:
    """The memory the whole-UNet finetune needs on `dev`: float32 weights, gradients and Adam's two moments (16 bytes a weight),
    the rest of the pipeline, and on the CPU also the copies of the UNet that `finetune` keeps (the base, the result) in its dtype."""
    n, b = sum(p.numel() for p in pipe.unet.parameters()), pipe.unet.dtype.itemsize
    rest = sum(p.numel() * p.element_size() for m in (pipe.vae, pipe.text_encoder) for p in m.parameters())
    return round((n * (16 + (2 * b if dev.type == 'cpu' else 0)) + rest) / 2**30, 1)

def environment(dev) -> dict:
    import diffusers, transformers, peft
    name = torch.cuda.get_device_name(dev) if dev.type == 'cuda' else f'{platform.machine()} CPU, {os.cpu_count()} cores'
    return dict(device=name, torch_threads=torch.get_num_threads(), python=platform.python_version(), torch=torch.__version__,
                diffusers=diffusers.__version__, transformers=transformers.__version__, peft=peft.__version__)

def main(a):
    check_args(a)
    if a.threads: torch.set_num_threads(a.threads)
    from imposter.finetune import finetune, resolve_precision, check_autocast, DEFAULT_LR
    from imposter.models import default_device, model_size
    dev = torch.device(a.device or default_device())
    dtype = getattr(torch, a.dtype) if a.dtype else (torch.float16 if dev.type == 'cuda' else torch.float32)
    precision = resolve_precision(a.precision, dev, dtype)   # a precision this device or model cannot run is refused here
    check_autocast(precision, dev)
    res = dict(command=' '.join(['python', *map(shlex.quote, sys.argv)]), when=time.strftime('%Y-%m-%d %H:%M:%S'), **environment(dev),
               model=a.model or 'SD 2.1-base shapes, random weights (imposter.sd21.sd21_pipeline, seed 0)',
               dtype=str(dtype).removeprefix('torch.'), precision=precision,
               levers=dict(sdpa=not a.no_sdpa, one_batch=not a.separate_batches, cache=not a.no_cache, fused_adam=a.fused_adam,
                           channels_last=a.channels_last, compile=a.compile),
               notes=dict(peak_gib='CUDA peak allocation of each stage' if dev.type == 'cuda' else 'peak resident memory of the process so far (it only grows)',
                          first_iteration_s='from the call to the end of the first iteration: encoding the pair, the adapter, warm-up',
                          per_iteration_s='median of the other iterations', median_s='median of the timed repetitions, after one untimed warm-up'))
    pipe, s, m = timed(dev, lambda: load(a, dev, dtype))
    size = model_size(pipe); imgs = pair(size)
    res.update(size=size, latents=[pipe.unet.config.in_channels, size // pipe.vae_scale_factor, size // pipe.vae_scale_factor])
    stages = res['stages'] = dict(load=dict(seconds=s, peak_gib=m))
    kw = dict(source_prompt=SOURCE_PROMPT, driving_prompt=DRIVING_PROMPT, progress=False, precision=precision)
    arts = {}
    def library(stamps, method, steps):
        arts[method] = finetune(pipe, *imgs, steps=steps, method=method, callback=lambda i, loss, unet: stamps.append(time.perf_counter()), **kw)
        return arts[method].losses, arts[method].settings
    stages['finetune'] = finetune_stage(dev, lambda st: library(st, 'lora', a.finetune_steps), a.finetune_steps)
    lr = arts['lora'].settings['lr']
    stages['finetune_levers'] = finetune_stage(dev, lambda st: (lever_finetune(pipe, imgs, a.finetune_steps, lr, precision, one_batch=not a.separate_batches,
                                                                              cache=not a.no_cache, fused=a.fused_adam, stamps=st), dict(precision=precision)),
                                               a.finetune_steps)
    recipe = not (a.separate_batches or a.no_cache or a.fused_adam)
    lv = stages['finetune_levers']
    lv['same_losses_as_finetune'] = lv['losses'] == stages['finetune']['losses']
    lv['max_loss_rel_diff'] = max_rel_diff(lv['losses'], stages['finetune']['losses'])
    lv['loss_rtol'] = loss_rtol(dev, dtype)
    mismatch = recipe and lv['max_loss_rel_diff'] > lv['loss_rtol']   # the other stages are still measured and written
    if a.full_steps: stages['authors_finetune'] = finetune_stage(dev, lambda st: library(st, 'full', a.full_steps), a.full_steps)
    else: stages['authors_finetune'] = dict(skipped='--full-steps 0', estimated_peak_gib=full_finetune_gib(pipe, dev))
    stages['sample'] = sampling_stage(pipe, arts['lora'], a.steps, a.reps, dev)
    sm, ft = stages['sample'], stages['finetune']
    res['ratios'] = dict(guidance_on_over_off=round(sm['guidance_on']['median_s'] / sm['guidance_off']['median_s'], 3),
                         guidance_on_over_plain=round(sm['guidance_on']['median_s'] / sm['plain']['median_s'], 3),
                         guidance_off_over_plain=round(sm['guidance_off']['median_s'] / sm['plain']['median_s'], 3),
                         levers_over_finetune_per_iteration=None if mismatch else round(lv['per_iteration_s'] / ft['per_iteration_s'], 3))
    if a.full_steps: res['ratios']['authors_over_finetune_per_iteration'] = round(stages['authors_finetune']['per_iteration_s'] / ft['per_iteration_s'], 3)
    res['unit_of_work_s'] = round(ft['seconds'] + sm['guidance_on']['median_s'], 3)   # the library's finetune, then one ImPoster image
    for st in ('finetune', 'finetune_levers', 'authors_finetune'): stages[st].pop('losses', None)   # compared above; first and last kept
    text = json.dumps(res, indent=1)
    tmp = Path(a.out).with_name(f'.{Path(a.out).name}.tmp-{os.getpid()}')
    tmp.write_text(text + '\n'); os.replace(tmp, a.out)
    print(text)
    if mismatch:
        raise SystemExit(f"{a.out}: the written-out finetune at the library's recipe did not reproduce finetune's losses (largest relative "
                         f"difference {lv['max_loss_rel_diff']:.2g}, allowed {lv['loss_rtol']:g} on {dev.type}, {dtype}), so the levers' ratio "
                         "is left out; every other stage is in the file.")

if __name__ == '__main__': main(ARGS)
