"""The world's finetuned-identity measurement for each LoRA target set, rate, length and rank: how much of a source's
identity can a LoRA learn?

The measurement (`puppet_card.identity_gates`, as `imposter train-puppets` measures it for the model card): on each
of the 8 dev-split sources, finetune with the model's default settings (`data/puppet-sd/imposter.json`) and the given
LoRA target set, then sample the source's caption 8 times (50 DDIM steps, CFG 7.5, seeds 40000+) and read the share
of the source's four identity attributes in the samples. The finetune is on the source's first pair (source and
driving image, as the method finetunes; the default here) or, with `--on source`, on the source image alone (the
world's gate: "after the default finetune on one standing source instance"). One process per run.

The card's gate at every setting of the finetune sweep (finetune_sweep.py), for the embedded world-v4 model: two
one-thread processes, three settings each, then `report`:

    for lr in 1e-3 3e-3 1e-2; do for steps in 250 500; do
      python nbs/experiments/identity_gate_targets.py run attention+resnet --on source --lr $lr --steps $steps --out runs/v4-gate-grid; done; done
    python nbs/experiments/identity_gate_targets.py report runs/v4-gate-grid   # -> results/finetune-default/identity-gate.json

`--steps`, `--lr` and `--rank` override the model's default finetune length, rate and LoRA rank (4); the result is
then named `<set>-<steps>steps` (`-lr<lr>`, `-rank<rank>`); `run all` adapts every layer of the UNet's blocks
(`artifact.LORA_TARGETS`). `--on source` names the result `<...>-source`, and `--split test` `<...>-test`: the gate on
the test split's 8 sources, which nothing was chosen on. With the model's default settings on the dev split and `--on
source`, this is the model card's gate, so its number equals the card's `finetuned_identity`
(`tools/check_numbers.py` asserts it).
"""
import argparse, json, time
from pathlib import Path

RESULT = Path(__file__).parent / 'results' / 'finetune-default' / 'identity-gate.json'

def run(targets, out, steps=None, lr=None, rank=None, on='pair', split='dev'):
    import torch
    torch.set_num_threads(1)
    from imposter import models
    from imposter.puppet_judge import load_judge
    from imposter.puppet_bench import load_benchmark
    from imposter.puppet_card import identity_gates
    pipe, judge = models.load_pipeline(None, device='cpu'), load_judge()
    t0 = time.time()
    kw = dict(targets=targets, on=on, **({'steps': steps} if steps else {}), **({'lr': lr} if lr else {}), **({'rank': rank} if rank else {}))
    name = targets + (f'-{steps}steps' if steps else '') + (f'-lr{lr:g}' if lr else '') + (f'-rank{rank}' if rank else '') + ('-source' if on == 'source' else '') + (f'-{split}' if split != 'dev' else '')
    m = identity_gates(pipe, judge, load_benchmark(split=split), 8, kw, 8, 50, 7.5)
    m['seconds'] = round(time.time() - t0, 1)
    out.mkdir(parents=True, exist_ok=True)
    (out / f'{name}.json').write_text(json.dumps(m, indent=1))
    print(name, round(m['finetuned_identity'], 3), m['finetuned_identity_per_source'])

def report(runs, dest=RESULT):
    res = {f.stem: json.loads(f.read_text()) for f in sorted(runs.glob('*.json'))}
    dest.write_text(json.dumps(res, indent=1))
    for t, m in res.items():
        print(f"{t}: finetuned identity {m['finetuned_identity']:.3f} (per source {', '.join(f'{v:.2f}' for v in m['finetuned_identity_per_source'])}); "
              f"base {m['base_identity']:.3f}; settings {m['finetune_settings']}")

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('what', choices=('run', 'report'))
    ap.add_argument('arg', help='run: a LoRA target set (artifact.LORA_TARGETS); report: the run folder')
    ap.add_argument('--out', default='runs/identity-gate-targets')
    ap.add_argument('--steps', type=int, help="finetune steps (default: the model's)")
    ap.add_argument('--lr', type=float, help="finetune learning rate (default: the model's)")
    ap.add_argument('--rank', type=int, help='LoRA rank (default: the library\'s, 4)')
    ap.add_argument('--on', choices=('pair', 'source'), default='pair', help="finetune on the source's first pair, or on the source image alone (the gate)")
    ap.add_argument('--dest', default=str(RESULT), help="report's file (default: results/finetune-default/identity-gate.json)")
    ap.add_argument('--split', choices=('dev', 'test'), default='dev', help='whose 8 sources')
    a = ap.parse_args()
    run(a.arg, Path(a.out), a.steps, a.lr, a.rank, a.on, a.split) if a.what == 'run' else report(Path(a.arg), Path(a.dest))
