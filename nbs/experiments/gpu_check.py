"""The CUDA path of the core library (half precision, autocast, device placement), on a GPU machine.

    python nbs/experiments/gpu_check.py [--model DIR]

Checks, with a tiny random pipeline saved to a temp folder and loaded through `load_pipeline` (fp16 on cuda), and
with the embedded puppet model when present: LoRA and whole-UNet finetunes run in fp16 with fp32 training
parameters and lower the pair's loss; guided sampling runs, is deterministic per seed, and its guided/unguided time
ratio; a saved artifact reproduces the image. Prints one JSON line per check.
"""
import json, sys, tempfile, time
import numpy as np, torch
from PIL import Image
from imposter.models import tiny_pipeline, load_pipeline, embedded_model
from imposter.finetune import finetune, Artifact, encode_text, denoising_loss
from imposter.sampling import sample

assert torch.cuda.is_available(), 'this check needs a CUDA GPU'
res = dict(device=torch.cuda.get_device_name(0), torch=torch.__version__)
rng = np.random.default_rng(0)
src, drv = (Image.fromarray(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)) for _ in range(2))
models = {}
with tempfile.TemporaryDirectory() as d:
    tiny_pipeline(size=64).save_pretrained(d)
    models['tiny'] = load_pipeline(d)
    if (embedded_model() / 'model_index.json').exists(): models['embedded'] = load_pipeline()
    for name, pipe in models.items():
        r = dict(model=name, dtype=str(pipe.unet.dtype))
        for method, lr in (('lora', 1e-3), ('full', 1e-4)):
            torch.cuda.synchronize(); t = time.time()
            art = finetune(pipe, src, drv, 'a bear', 'a man kicking', steps=200, lr=lr, method=method, progress=False)
            torch.cuda.synchronize(); r[f'{method}_it_per_s'] = round(200 / (time.time() - t), 1)
            lat = torch.cat([art.source_latents, art.driving_latents])
            emb = torch.cat([encode_text(pipe, 'a bear'), encode_text(pipe, 'a man kicking')])
            base = denoising_loss(pipe, lat, emb, n=16); tuned = denoising_loss(art.apply(pipe), lat, emb, n=16); art.remove(pipe)
            r[f'{method}_loss_ratio'] = round(tuned / base, 3)
            r[f'{method}_finite'] = bool(np.isfinite(art.losses).all())
        art = finetune(pipe, src, drv, 'a bear', 'a man kicking', steps=100, progress=False)
        times = {}
        for _ in range(3):
            for pre in ('no-guidance', 'imposter', 'imposter-calibrated'):
                torch.cuda.synchronize(); t = time.time(); out = sample(pipe, art, pre, [0, 1, 2, 3], progress=False); torch.cuda.synchronize()
                times.setdefault(pre, []).append(time.time() - t)
        r['s_per_image'] = round(min(times['no-guidance']) / 4, 4)
        r['guided_over_unguided'] = {p: round(min(times[p]) / min(times['no-guidance']), 3) for p in ('imposter', 'imposter-calibrated')}
        a = np.asarray(sample(pipe, art, 'imposter-calibrated', [5], progress=False).images[0])
        b = np.asarray(sample(pipe, art, 'imposter-calibrated', [5], progress=False).images[0])
        r['same_seed_identical'] = bool((a == b).all())
        art.save(d + f'/art-{name}'); c = np.asarray(sample(pipe, Artifact.load(d + f'/art-{name}'), 'imposter-calibrated', [5], progress=False).images[0])
        r['reload_identical'] = bool((a == c).all())
        print(json.dumps(r), flush=True)
