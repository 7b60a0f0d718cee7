"""Make the finetunes shipped with the package (`imposter.session.shipped_dir()`, data/finetunes/), or check them.

    python nbs/experiments/ship_finetunes.py make             # finetune the pairs afresh into data/finetunes/
    python nbs/experiments/ship_finetunes.py check ARTIFACT   # an artifact folder made by a plain `finetune` of the same pair

The shipped pairs (`PAIRS`) are those a first look opens on: the test split's `SHOWCASE_PAIR`, which `imposter demo`
and the explorer use, at the embedded model's own finetune settings. `make` finetunes each with one torch thread,
saves it under its cache key (`session.finetune_key`) in data/finetunes/artifacts/, and writes data/finetunes/
shipped.json: per pair the key, the settings and each file's sha256. `check` compares an
artifact folder made independently (for example by the README's Python API example, `finetune(...)` then
`art.save(...)`) with the shipped one, file by file: the weights and latents byte for byte, and `artifact.json` equal but
for the seconds the finetune took. A shipped finetune must be exactly the one the command would make. `session.cached_finetune` loads a shipped finetune only under its own key, so a change of the
model, the pair, the prompts or the settings makes it unused (and the test in 07_session fails until it is made again).
"""
import argparse, hashlib, json, platform, shutil, sys, tempfile
from pathlib import Path

PAIRS = (('test', None),)   # (split, pair_id); None: puppet_bench.SHOWCASE_PAIR

def sha256(p:Path) -> str: return hashlib.sha256(p.read_bytes()).hexdigest()

def shipped(split, pair):
    "The pair's row, the embedded pipeline, its finetune settings and key."
    from imposter.models import load_pipeline
    from imposter.puppet_bench import benchmark_row
    from imposter.session import finetune_key, finetune_settings
    pipe, row = load_pipeline(None, 'cpu'), benchmark_row(pair, split)
    st = finetune_settings(pipe)
    key = finetune_key(pipe, row['source_image'], row['driving_image'], row['source_prompt'], row['driving_prompt'], row['target_prompt'], st)
    return pipe, row, st, key

def make():
    import torch
    from imposter.session import cached_finetune, shipped_dir
    torch.set_num_threads(1)
    out, record = shipped_dir(), {}
    for split, pair in PAIRS:
        pipe, row, st, key = shipped(split, pair)
        with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as none:
            ft = cached_finetune(pipe, row['source_image'], row['driving_image'], row['source_prompt'], row['driving_prompt'],
                                 row['target_prompt'], cache=tmp, shipped=none, progress=False)
            assert ft.origin == 'finetuned', ft.origin
            dest = out / 'artifacts' / key
            if dest.exists(): shutil.rmtree(dest)
            shutil.copytree(ft.folder, dest)
        record[f"{split}/{row['pair_id']}"] = dict(key=key, target_prompt=row['target_prompt'], settings=st,
                                                  files={p.name: sha256(p) for p in sorted(dest.iterdir())})
    record = dict(command='python nbs/experiments/ship_finetunes.py make',
                  machine=f'{platform.machine()}, 1 torch thread', pairs=record)
    (out / 'shipped.json').write_text(json.dumps(record, indent=1) + '\n')
    print(json.dumps(record, indent=1))

def check(folder:Path) -> int:
    from imposter.session import shipped_dir
    rec = json.loads((shipped_dir() / 'shipped.json').read_text())
    bad = 0
    for name, r in rec['pairs'].items():
        ship = shipped_dir() / 'artifacts' / r['key']
        for f, h in r['files'].items():
            if sha256(ship / f) != h: print(f'{name} {f}: the shipped file does not match shipped.json'); bad += 1; continue
            if f == 'artifact.json':   # the record: equal but for the seconds the finetune took
                a, b = (json.loads((x / f).read_text()) for x in (folder, ship))
                for d in (a, b): d['settings'].pop('seconds', None)
                same = a == b
            else: same = (folder / f).is_file() and (folder / f).read_bytes() == (ship / f).read_bytes()
            print(f"{name} {f}: {'the same' if same else 'DIFFERS'}"); bad += not same
    return bad

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    sub.add_parser('make', help='finetune the shipped pairs afresh into data/finetunes/')
    c = sub.add_parser('check', help='compare an artifact folder made by a plain finetune with the shipped one, byte for byte')
    c.add_argument('artifact', type=Path)
    a = ap.parse_args()
    if a.cmd == 'make': make()
    else: sys.exit(1 if check(a.artifact) else 0)
