"""World v4 pilot: the body colour named by the subject, a garment as the fourth identity attribute.

A record since world v4 shipped (`results/puppet-train-v4/`): the library now draws this world, with the card's gate
on the source image alone and the default finetune the v4 sweep chose. The pilot's commands below ran with the library
of commit 77f6471 plus the patch, in a worktree; `report name=-` still rebuilds the summary from the committed files.

The world-v2 model (shipped when the pilot ran) draws a source's identity from four attributes: body colour (one of four shades in the
subject's colour family), pattern, marking colour and accessory. After the default finetune its samples keep pattern
and accessory (0.84-1.00) and lose the shade (0.19-0.42; `results/identity-attributes/`), and the identity gate
(>= 0.8) is missed at 0.719. The world v3 pilot put each subject's four colours far apart: the shade then survived
and the model lost the subject (`results/world-v3-pilot/`). So in this world the body colour cannot carry both.

The pilot world (v4) is v2 with one change, `results/world-v4-pilot/world-v4-pilot.patch`: the body colour is the
subject's (one per subject, the middle of its v2 family, so it still names the subject), and the fourth attribute is
a garment in one cyan, drawn where no accessory is: sleeves (upper arms), gloves (forearms and hands), shorts (hip and
thighs) or a cape (behind the torso, wider than it). Pattern, marking and accessory are drawn as in v2, from the same
random draws, so every source keeps its v2 pattern, marking and accessory. The pilot trains the model with the
shipped recipe, reusing the shipped VAE, and measures the model card's gates; then again with the VAE's decoder
finetuned on the pilot world's renders; then with the recipe from scratch, whose identity gate is also read with the
finetune on the source image alone and on two fresh benchmark draws, and whose finetune defaults are swept on the dev
split.

Commands, from the repository root (2-core CPU):

    git worktree add ../v4 HEAD && (cd ../v4 && git am nbs/experiments/results/world-v4-pilot/world-v4-pilot.patch)
    cd ../v4 && export PYTHONPATH=$PWD   # the pilot's world; every command below runs there
    # 1. the shipped VAE reused (it saves the VAE's 38 min; the v3 pilot did the same)
    mkdir -p runs/v4/work && cp -r data/puppet-sd/vae runs/v4/work/vae
    imposter train-puppets --out runs/v4/out --work runs/v4/work --no-eval --quiet     # render, UNet, judge
    python nbs/experiments/world_v4_pilot.py gates runs/v4/out runs/v4/work   # stopped after the judge's and text-to-image rows (work/eval.json)
    python nbs/experiments/world_v4_pilot.py vae runs/v4/out/puppet-sd runs/v4/vae   # the card's PSNR, PSNR by garment, round trips
    # 2. the same model, the VAE's decoder finetuned on its training renders (the encoder frozen: the UNet's latents stay)
    python nbs/experiments/world_v4_pilot.py decoder runs/v4 runs/v4d 1000
    python nbs/experiments/world_v4_pilot.py vae runs/v4d/work runs/v4d/vae
    python nbs/experiments/world_v4_pilot.py gates runs/v4d/out runs/v4d/work          # the card (runs/v4d/out/puppet-sd/README.md)
    IMPOSTER_DATA=runs/v4d/out python nbs/experiments/identity_attributes.py run dev --on pair --out runs/v4d/ia   # and test
    # 3. the recipe from scratch on this world (its VAE trained on the pilot's renders, then the UNet on that VAE's latents)
    imposter train-puppets --out runs/v4s/out --work runs/v4s/work --no-eval --quiet
    python nbs/experiments/world_v4_pilot.py gates runs/v4s/out runs/v4s/work
    python nbs/experiments/world_v4_pilot.py vae runs/v4s/work runs/v4s/vae
    IMPOSTER_DATA=runs/v4s/out python nbs/experiments/identity_attributes.py run dev --on pair --out runs/v4s/ia   # and test
    IMPOSTER_DATA=runs/v4s/out python nbs/experiments/identity_attributes.py run dev --on source --out runs/v4s/ia   # and test: the source image alone
    IMPOSTER_DATA=runs/v4s/out python nbs/experiments/identity_attributes.py run seed3 --on source --out runs/v4s/ia   # and seed4, and --on pair: fresh draws
    IMPOSTER_DATA=runs/v4s/out python nbs/experiments/finetune_sweep.py run --out runs/v4s/sweep --targets attention+resnet --lrs 1e-3,3e-3,1e-2 --part 0/2   # and 1/2
    python nbs/experiments/finetune_sweep.py report runs/v4s/sweep --dest nbs/experiments/results/world-v4-pilot/scratch-sweep
    python nbs/experiments/world_v4_pilot.py report vae-reused=runs/v4 decoder-tuned=runs/v4d scratch=runs/v4s   # -> results/world-v4-pilot/
    # (name=- takes a run's committed files instead of its folder: report vae-reused=- decoder-tuned=- scratch=runs/v4s)
"""
import argparse, copy, json, shutil, time
from pathlib import Path
import numpy as np
from world_v3_pilot import _ci   # mean ± 95% t interval over sources, as the v3 pilot reports it

HERE = Path(__file__).parent
RESULTS = HERE / 'results' / 'world-v4-pilot'
SHIPPED = HERE / 'results' / 'puppet-train-v2-block' / 'metrics.json'
V3 = HERE / 'results' / 'world-v3-pilot' / 'metrics.json'
V2_SAMPLES = HERE / 'results' / 'identity-attributes'   # the shipped model's gate samples, per attribute

def _pilot_world():
    "Refuse to measure another world as if it were the pilot's."
    from imposter.puppets import IDENTITY
    if 'wear' not in IDENTITY:
        raise SystemExit(f"This measures the world v4 pilot, whose identity attributes include 'wear'; this world's are {list(IDENTITY)}. "
                         "Apply results/world-v4-pilot/world-v4-pilot.patch (git am) in a worktree and set PYTHONPATH to it.")

def gates(out, work):
    "The model card of the pilot model: every gate; the whole-UNet finetune (reported, not gated) left out."
    from imposter.puppet_train import RECIPE, train_puppets
    recipe = copy.deepcopy(RECIPE); recipe['eval']['finetune_reported'] = None
    m = train_puppets(out, work, recipe=recipe, evaluate=True, progress=False,
                      command=f'python nbs/experiments/world_v4_pilot.py gates {out} {work}')
    print({k: v for k, v in m.items() if not k.endswith('per_source')})

def vae(model, to):
    "The VAE's reconstruction PSNR on the card's held-out renders and on fresh animal renders by garment (the same 48 instances with each), and a figure of round trips."
    import torch
    from diffusers import AutoencoderKL
    from imposter import viz
    from imposter.puppets import ACTIONS, SUBJECTS, WEARS, render, sample_identity
    from imposter.puppet_train import vae_psnr, vae_reconstruct
    from PIL import Image
    torch.set_num_threads(1)
    v, rng, res, rows = AutoencoderKL.from_pretrained(model, subfolder='vae').eval(), np.random.default_rng(0), {}, []
    items = [(SUBJECTS[k % 8], ACTIONS[rng.integers(len(ACTIONS))], 90_000 + k) for k in range(48)]
    for w in WEARS:
        ims = np.stack([np.asarray(render(s, a, seed, identity={**sample_identity(s, seed), 'wear': w})['image']) for s, a, seed in items])
        with torch.no_grad(): res[w] = vae_psnr(v, ims)
        rows.append([Image.fromarray(x) for x in ims[:6]] + [Image.fromarray(x) for x in vae_reconstruct(v, ims[:6])])
    from imposter.puppet_corpus import pretraining_set
    from imposter.puppets import render_items
    from imposter.puppet_train import RECIPE
    heldout = render_items(pretraining_set(RECIPE['vae']['heldout'], RECIPE['seed'] + 1000))   # the card's held-out renders
    with torch.no_grad(): card = vae_psnr(v, heldout)
    Path(to).with_suffix('.json').write_text(json.dumps(dict(model=str(model), vae_psnr=card, psnr_by_wear=res, n=len(items)), indent=1))
    viz.image_grid(rows, row_labels=list(WEARS), col_labels=['render']*6 + ['VAE round trip']*6,
                   title=f'{model}: PSNR by garment ' + ', '.join(f'{k} {x:.1f} dB' for k, x in res.items())).savefig(Path(to).with_suffix('.png'), dpi=110)
    print(card, res)

def decoder(run, to, steps=1500):
    "A copy of `run` (out/, work/) whose VAE decoder is finetuned on the run's training renders, the encoder frozen, so the UNet's latents stay as they are."
    import torch, torch.nn.functional as F
    from diffusers import AutoencoderKL
    from tqdm.auto import trange
    from imposter.puppet_train import RECIPE
    torch.set_num_threads(1); run, to, steps = Path(run), Path(to), int(steps)
    if to.exists(): raise SystemExit(f"{to} exists; give a new folder (nothing is overwritten).")
    spec, t0 = RECIPE['vae'], time.time()
    vae = AutoencoderKL.from_pretrained(run / 'work' / 'vae')
    vae.requires_grad_(False); train = [*vae.decoder.parameters(), *vae.post_quant_conv.parameters()]
    for p in train: p.requires_grad_(True)
    X = np.load(run / 'work' / 'train.npy', mmap_mode='r')
    opt = torch.optim.AdamW(train, lr=spec['lr'], weight_decay=0.0)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, spec['lr'], total_steps=steps, pct_start=0.05)
    c, n = spec['crop'], X.shape[1]
    for step in (pbar := trange(steps, desc='decoder')):
        g = torch.Generator().manual_seed(step)
        idx = torch.randint(len(X), (spec['batch_size'],), generator=g).numpy()
        i, j = torch.randint(0, n - c + 1, (2,), generator=g).tolist()
        x = torch.from_numpy(np.ascontiguousarray(X[np.sort(idx), i:i + c, j:j + c])).permute(0, 3, 1, 2).float()/127.5 - 1
        with torch.no_grad(): z = vae.encode(x).latent_dist.mean   # the UNet was trained on posterior means
        loss = F.mse_loss(vae.decode(z).sample, x)
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step(); sched.step()
        if step % 50 == 0: pbar.set_postfix(loss=f'{loss.item():.5f}')
    shutil.copytree(run / 'out', to / 'out')
    shutil.copytree(run / 'work', to / 'work', ignore=shutil.ignore_patterns('eval.json', 'metrics.json', 'samples_*.png', 'vae'))
    vae.eval().save_pretrained(to / 'work' / 'vae')
    (to / 'decoder.json').write_text(json.dumps(dict(source=str(run), steps=steps, lr=spec['lr'], batch_size=spec['batch_size'], crop=c,
                                                     seconds=time.time() - t0), indent=1))
    print(f'decoder finetuned in {time.time() - t0:.0f} s')

ROWS = [('vae_psnr', 'VAE reconstruction PSNR (dB; gate >= 30)'),
        ('judge_vae_subject', 'Judge, VAE reconstructions: subject (gate >= 0.95)'),
        ('judge_vae_identity', 'Judge, VAE reconstructions: identity attributes (gate >= 0.90)'),
        ('judge_img2img_subject', 'Judge, img2img samples: subject'),
        ('judge_img2img_identity', 'Judge, img2img samples: identity attributes'),
        ('seen_subject', 'Text-to-image, seen captions: named subject (gate >= 0.8)'),
        ('seen_action', 'Text-to-image, seen captions: named action (gate >= 0.7)'),
        ('unseen_wrong_action', 'Unseen combinations: wrong action (gate >= 0.6)'),
        ('base_identity', "Base model: identity of a dev source's samples (gate 0.25 ± 0.1)"),
        ('finetuned_identity', 'After the default finetune, dev sources: identity (gate >= 0.8)')]

SPLITS = ('dev', 'test', 'seed3', 'seed4')   # the shipped splits, and two fresh benchmark draws (`identity_attributes.py run seed3`)
HELD_OUT = ('test', 'seed3', 'seed4')   # sources on which nothing was chosen
ON = dict(pair='the pair (the card)', source='the source image alone')   # the gate's finetune: `identity_attributes.py --on`

def _attributes(path):
    "Per attribute and per source, from an `identity_attributes.py` run's json: (identity per source, {attribute: mean}, subject)."
    d = json.loads(Path(path).read_text()); s = d['sources']
    att = {k: float(np.mean([x['per_attribute'][k] for x in s])) for k in s[0]['per_attribute']}
    return [x['identity'] for x in s], att, float(np.mean([x['subject'] for x in s]))

def _measured(files):
    "A pilot run's card numbers: the gates' metrics.json where they finished, else the judge and text-to-image rows of eval.json."
    if files['metrics'].is_file(): return json.loads(files['metrics'].read_text())['metrics']
    e = json.loads(files['eval'].read_text())
    return {**e['judge'], **e['t2i'], 'vae_psnr': json.loads(files['vae'].read_text())['vae_psnr']}

# a run's files: key -> (path in the run's folder, committed as results/<name>-<this>)
COPIED = dict(card=('out/puppet-sd/README.md', 'card.md'), metrics=('work/metrics.json', 'metrics.json'), eval=('work/eval.json', 'eval.json'),
              times=('work/times.json', 'times.json'), vae=('vae.json', 'vae.json'), vae_png=('vae.png', 'vae.png'),
              decoder=('decoder.json', 'decoder.json'),
              **{f'{s}_{on}_{e}': (f'ia/{s}-{on}.{e}', f'{s}-{on}.{e}') for s in SPLITS for on in ON for e in ('json', 'png')})

def _files(name, run):
    """A run's files: copied from its folder into results/ when the folder is given and exists; else the committed copies
    (`name=-`), so that the report can be rebuilt on a machine where the earlier runs' folders are gone."""
    if run is not None:
        for src, dst in COPIED.values():
            if (run / src).is_file(): shutil.copy(run / src, RESULTS / f'{name}-{dst}')
    return {key: RESULTS / f'{name}-{dst}' for key, (_, dst) in COPIED.items()}

def report(*runs):
    "summary.md and summary.json from the pilot runs' files (each `name=folder`), beside the shipped model's and the v3 pilot's cards."
    RESULTS.mkdir(parents=True, exist_ok=True)
    if not all('=' in r for r in runs): raise SystemExit(f"report takes name=folder for each pilot run, e.g. vae-reused=runs/v4; got {runs}.")
    runs = {n: None if f == '-' else Path(f) for n, f in (r.split('=', 1) for r in runs)}
    for name, run in runs.items():
        if run is not None and not run.is_dir(): raise SystemExit(f"{run} is not a folder; give the run's folder, or {name}=- to use the committed {name}-* files.")
    cards = {'shipped world (v2)': json.loads(SHIPPED.read_text())['metrics'], 'v3 pilot': json.loads(V3.read_text())['metrics']}
    for name, run in runs.items(): cards[f'v4 pilot, {name}'] = _measured(_files(name, run))
    lines = ['| card row | ' + ' | '.join(cards) + ' |', '|---|' + '---|'*len(cards)]
    for key, label in ROWS:
        cell = lambda d: ('-' if key not in d else f'{d[key]:.2f}' if key == 'vae_psnr' else f'{d[key]:.3f}')
        lines.append(f'| {label} | ' + ' | '.join(cell(c) for c in cards.values()) + ' |')
    wear = [k for k in ('judge_vae_wear', 'judge_img2img_wear') if any(k in c for c in cards.values())]
    for key in wear: lines.append(f"| Judge, {dict(judge_vae_wear='VAE reconstructions', judge_img2img_wear='img2img samples')[key]}: garment | " + ' | '.join(f'{c[key]:.3f}' if key in c else '-' for c in cards.values()) + ' |')
    samples, rows = {}, []
    for world, folder, prefix in (('shipped world (v2)', V2_SAMPLES, ''), *[(f'v4 pilot, {n}', RESULTS, f'{n}-') for n in runs]):
        for on, split in [(on, split) for on in ON for split in SPLITS]:
            f = folder / f'{prefix}{split}-{on}.json'
            if not f.is_file(): continue
            ident, att, subj = _attributes(f)
            samples[f'{world}, {split}' + (', source alone' if on == 'source' else '')] = dict(identity_per_source=ident, attributes=att, subject=subj)
            rows.append(f'| {world} | {ON[on]} | {split} | {_ci(ident)} | {subj:.3f} | ' + ', '.join(f'{k} {v:.3f}' for k, v in att.items()) + ' |')
        for on in ON:   # the sources on which nothing was chosen, pooled: the test split's and the fresh draws' (independent instances)
            fs = [folder / f'{prefix}{split}-{on}.json' for split in HELD_OUT]
            if not all(f.is_file() for f in fs): continue
            ident = [x for f in fs for x in _attributes(f)[0]]
            samples[f'{world}, held out' + (', source alone' if on == 'source' else '')] = dict(identity_per_source=ident)
            rows.append(f'| {world} | {ON[on]} | {" + ".join(HELD_OUT)} ({len(ident)} sources) | {_ci(ident)} | | |')
    if len(rows) > 2:
        lines += ['', "The identity gate's samples (8 sources x 8 samples of the source's caption, after the default finetune) read per attribute; "
                  "identity is the mean ± the 95% t interval over the 8 sources.", '',
                  '| world | finetuned on | split | identity | subject | attributes |', '|---|---|---|---|---|---|', *rows]
    (RESULTS / 'summary.md').write_text('\n'.join(lines) + '\n')
    (RESULTS / 'summary.json').write_text(json.dumps(dict(card={n: {k: c.get(k) for k, _ in ROWS} | {k: c.get(k) for k in wear} for n, c in cards.items()},
                                                          gate_samples=samples), indent=1))
    print('\n'.join(lines))

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('what', choices=('gates', 'vae', 'decoder', 'report'))
    ap.add_argument('args', nargs='*')
    a = ap.parse_args()
    if a.what != 'report': _pilot_world()
    dict(gates=gates, vae=vae, decoder=decoder, report=report)[a.what](*a.args)
