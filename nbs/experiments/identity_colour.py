"""Why the identity gate misses: the body colour, read by the judge and by the pixels themselves.

A world-v2 record: it reads the world-v2 block model and its body shades, and runs as committed at commit 259d20f
(the library now draws world v4).

The identity gate's weak attribute is the body colour (`identity_attributes.py`: read in 0.19-0.42 of the samples after
the default LoRA). Two things can lose it: the model draws another shade, or the judge reads a shade that is there as
another. This separates them with a reader that needs no training: the median colour of the sample's pixels at the
places where the source render shows its body colour (not its pattern, accessory or outline), assigned to the nearest of
the subject's four body colours (`BODY`). It is exact where the sample keeps the source's layout, and only there:

- `img2img`: the model card's judge validation set (5 fresh renders of every subject x action, seed 99, identities at
  random), redrawn by img2img at strength 0.3 with its own caption (as the card's img2img rows; same seeds). The layout
  is the render's, so the pixel reading is exact; it also gives the drift of the body colour in RGB levels.
- `gate`: the identity gate's own samples, saved by `identity_attributes.py run` (standing samples of each source's
  caption after its finetune). A standing sample puts the body where its standing source has it, up to a pixel or two,
  so the pixel mask is eroded by one pixel first; read this row as approximate.
- `judge`: a judge trained as the shipped one but with a per-channel colour cast in its augmentation
  (`train_judge(colour_shift=...)`), read beside the shipped judge.

Commands (2-core x86-64 CPU; the gate samples come from `identity_attributes.py`):

    python nbs/experiments/identity_attributes.py run dev --on pair --out runs/ia2 &      # and test; --on source; --method full
    python nbs/experiments/identity_colour.py judge --colour 0.1 --out runs/judge-colour0.1   # 922 s on one thread
    python nbs/experiments/identity_colour.py img2img --judges data/puppet-judge runs/judge-colour0.1 --out runs/identity-colour
    python nbs/experiments/identity_colour.py gate runs/ia2 --judges data/puppet-judge runs/judge-colour0.1 --out runs/identity-colour
    python nbs/experiments/identity_colour.py report runs/identity-colour   # -> results/identity-colour/
"""
import argparse, json
from pathlib import Path
import numpy as np

RESULTS = Path(__file__).parent / 'results' / 'identity-colour'
# the reader: `puppet_judge.body_pixels` and `pixel_body_read` (the model card's img2img pixel rows use them too)
def _median(sample, mask): return np.median(np.asarray(sample)[mask].astype(float), 0)

def _load(judges):
    from imposter.puppet_judge import load_judge
    return {str(j): load_judge(j) for j in judges}

def img2img(judges, out):
    import torch
    torch.set_num_threads(2)
    from imposter.models import load_pipeline
    from imposter.puppet_judge import judge_set, head_accuracy, body_pixels, pixel_body_read
    from imposter.puppet_train import img2img_samples, vae_reconstruct
    from imposter.puppets import SUBJECTS, render, caption
    pipe = load_pipeline(None, device='cpu')
    ims, ys, items = judge_set(5, 99)   # the model card's judge validation set
    i2i = img2img_samples(pipe, ims, [caption(s, a) for s, a, _ in items], list(range(len(ims))))
    judged = _load(judges); preds = {j: J.predict(i2i) for j, J in judged.items()}
    rec = vae_reconstruct(pipe.vae, ims, 'cpu')   # and every head on the clean renders and their VAE round trips, as the card's rows
    heads = {j: {name: head_accuracy(J, x, ys) for name, x in (('clean', ims), ('vae', rec), ('img2img', i2i))} for j, J in judged.items()}
    rows = []
    for i, (s, a, sd) in enumerate(items):
        if s not in SUBJECTS: continue
        r = render(s, a, sd); m = body_pixels(r); k = pixel_body_read(i2i[i], m, s)
        if k is None: continue
        c = np.array(r['labels']['look']['colour'], float)
        rows.append(dict(subject=s, action=a, truth=int(ys['body'][i]), pixel=k, drift=float(np.linalg.norm(_median(i2i[i], m) - c)),
                         **{f'judge:{j}': int(p['body'][i].argmax()) for j, p in preds.items()}))
    out.mkdir(parents=True, exist_ok=True)
    (out / 'img2img.json').write_text(json.dumps(dict(n_images=len(ims), heads=heads, rows=rows), indent=0))

def source_pixels_kept(r, ims):
    "For each sample of a gate source (its benchmark row `r`): do its pixels keep the source's body colour? (the mask of its standing render, eroded 1 px)"
    from imposter.puppets import render, identity_codes
    from imposter.puppet_judge import body_pixels, pixel_body_read
    body = identity_codes(r['source_identity'], r['source_subject'])['body']
    m = body_pixels(render(r['source_subject'], 'standing', int(r['source_seed']), identity=r['source_identity']), erode=1)
    if m.sum() < 10: raise SystemExit(f"Source {r['source_image']} shows fewer than 10 body pixels after erosion: its body colour cannot be read.")
    return [pixel_body_read(x, m, r['source_subject']) == body for x in ims]

def gate(runs, judges, out):
    from imposter.puppet_bench import load_benchmark
    from imposter.puppet_train import source_rows
    from imposter.puppets import identity_codes, IDENTITY
    res, loaded = {}, _load(judges)
    for f in sorted(Path(runs).glob('*.npz')):
        meta = json.loads(f.with_suffix('.json').read_text())
        S, rows = np.load(f)['samples'], source_rows(load_benchmark(split=meta['split']))
        preds = [{j: J.predict(ims) for j, J in loaded.items()} for ims in S]
        per = {'pixel': []} | {f'judge:{j}': [] for j in judges} | {f'identity:{j}': [] for j in judges} | {f'identity:{judges[0]}, pixel body': []}
        for r, ims, p in zip(rows, S, preds):
            codes = identity_codes(r['source_identity'], r['source_subject'])
            px = source_pixels_kept(r, ims); per['pixel'] += px
            first = p[str(judges[0])]   # the first judge's other three attributes, with the pixels' body colour
            per[f'identity:{judges[0]}, pixel body'] += list((np.array(px) + sum(first[k].argmax(1) == codes[k] for k in IDENTITY if k != 'body'))/len(IDENTITY))
            for j, q in p.items():
                per[f'judge:{j}'] += list(q['body'].argmax(1) == codes['body'])
                per[f'identity:{j}'] += list(np.mean([q[k].argmax(1) == codes[k] for k in IDENTITY], 0))
        res[f.stem] = dict(split=meta['split'], on=meta['on'], method=meta['finetune']['method'], cfg=meta.get('cfg', 7.5),
                           n=len(per['pixel']), **{k: float(np.mean(v)) for k, v in per.items()})
        print(f.stem, res[f.stem], flush=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / 'gate.json').write_text(json.dumps(res, indent=1))

def train(colour, out):
    import torch, time
    torch.set_num_threads(1)
    from imposter.puppet_judge import train_judge
    from imposter.puppet_train import RECIPE
    t0, jc = time.time(), RECIPE['judge']   # the shipped judge's recipe, seed 0, with a colour cast
    train_judge(jc['steps'], jc['per_combo'], jc['batch_size'], jc['lr'], 0, 'cpu', False, colour_shift=colour).save(out)
    print(f'trained in {time.time() - t0:.0f} s')

def report(runs):
    runs = Path(runs); RESULTS.mkdir(parents=True, exist_ok=True)
    I = json.loads((runs / 'img2img.json').read_text()); i2i, g = I['rows'], json.loads((runs / 'gate.json').read_text())
    judges = [k.split(':', 1)[1] for k in i2i[0] if k.startswith('judge:')]
    pix = np.array([r['pixel'] == r['truth'] for r in i2i]); dr = np.array([r['drift'] for r in i2i])
    s = dict(img2img=dict(n=len(i2i), pixel=float(pix.mean()), drift_p50=float(np.median(dr)), drift_p75=float(np.percentile(dr, 75)),
                          drift_p90=float(np.percentile(dr, 90)), judges={}), gate=g)
    for j in judges:
        ok = np.array([r[f'judge:{j}'] == r['truth'] for r in i2i])
        s['img2img']['judges'][j] = dict(body=float(ok.mean()), body_where_pixels_right=float(ok[pix].mean()), body_where_pixels_wrong=float(ok[~pix].mean()),
                                         heads=I['heads'][j])
    from imposter.puppets import BODY
    close = {k: float(min(np.linalg.norm(np.subtract(a, b)) for i, a in enumerate(v.values()) for b in list(v.values())[i + 1:])) for k, v in BODY.items()}
    s['closest_shades'] = close   # RGB distance of each subject's two closest body colours
    (RESULTS / 'summary.json').write_text(json.dumps(s, indent=1))
    for f in ('img2img.json', 'gate.json'): (RESULTS / f).write_text((runs / f).read_text())
    L = [f"img2img at strength 0.3, {len(i2i)} animal renders: the pixels keep the body colour in {pix.mean():.3f}; drift of its median "
         f"colour p50 {np.median(dr):.0f}, p75 {np.percentile(dr, 75):.0f}, p90 {np.percentile(dr, 90):.0f} RGB levels "
         f"(a subject's two closest body colours are {min(close.values()):.0f}-{max(close.values()):.0f} levels apart).", '',
         '| judge | body | body where the pixels keep it | body where they do not | clean: body, identity | VAE: body, identity | img2img: identity |',
         '|---|---|---|---|---|---|---|']
    L += [f"| {j} | {v['body']:.3f} | {v['body_where_pixels_right']:.3f} | {v['body_where_pixels_wrong']:.3f} | "
          f"{v['heads']['clean']['body']:.3f}, {v['heads']['clean']['identity']:.3f} | {v['heads']['vae']['body']:.3f}, {v['heads']['vae']['identity']:.3f} | "
          f"{v['heads']['img2img']['identity']:.3f} |" for j, v in s['img2img']['judges'].items()]
    L += ['', f'| gate samples | n | body: pixels | identity: {judges[0]}, pixel body | ' + ' | '.join(f'body: {j} | identity: {j}' for j in judges) + ' |', '|---|---|---|---|' + '---|---|' * len(judges)]
    L += [f"| {k} | {v['n']} | {v['pixel']:.3f} | {v[f'identity:{judges[0]}, pixel body']:.3f} | " + ' | '.join(f"{v[f'judge:{j}']:.3f} | {v[f'identity:{j}']:.3f}" for j in judges) + ' |' for k, v in g.items()]
    (RESULTS / 'summary.md').write_text('\n'.join(L) + '\n'); print('\n'.join(L))

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('what', choices=('judge', 'img2img', 'gate', 'report'))
    ap.add_argument('runs', nargs='?', help="gate: the folder of identity_attributes.py's runs; report: this script's output folder")
    ap.add_argument('--judges', nargs='+', default=['data/puppet-judge'])
    ap.add_argument('--colour', type=float, default=0.1, help="judge: the per-channel colour cast of its augmentation")
    ap.add_argument('--out', default='runs/identity-colour')
    a = ap.parse_args()
    for j in a.judges:
        if a.what in ('img2img', 'gate') and not (Path(j) / 'config.json').is_file(): raise SystemExit(f"No judge at {j}: train one with `identity_colour.py judge --out {j}`.")
    if a.what in ('gate', 'report') and not (a.runs and Path(a.runs).is_dir()): raise SystemExit(f"{a.what} needs a run folder, got {a.runs!r}.")
    if a.what == 'judge': train(a.colour, Path(a.out))
    elif a.what == 'img2img': img2img(a.judges, Path(a.out))
    elif a.what == 'gate': gate(a.runs, a.judges, Path(a.out))
    else: report(a.runs)
