"""Add the judge-validation rows that a newer library measures to the shipped model card, without training again.

A world-v2 record: it reads the world-v2 block model and its body shades, and runs as committed at commit 259d20f
(the library now draws world v4).

`puppet_train.judge_validation` runs again on the shipped model (the card's renders and seeds: 5 per subject x
action, seed 99). Every number the card already has must come out bit for bit as `metrics.json` holds it, or nothing
is written. The new numbers are then added, and the card and `metrics.json` are written from these measurements by
`puppet_train._write_card`, with the record's stage times and the card's command:

    python nbs/experiments/card_judge_rows.py     # 160 s on the 2-core CPU
"""
import json, tempfile
from pathlib import Path
import torch
from imposter.models import load_pipeline
from imposter.puppet_judge import load_judge
from imposter import puppet_train as pt

RECORD = Path(__file__).parent / 'results' / 'puppet-train-v2-block' / 'metrics.json'
COMMAND = 'imposter train-puppets --work runs/block06'   # the command the card names

if __name__ == '__main__':
    torch.set_num_threads(2)
    old = json.loads(RECORD.read_text())
    jv = pt.judge_validation(load_pipeline(None, device='cpu'), load_judge(), pt.RECIPE['eval']['judge_per_combo'], 99, 'cpu')
    new = {f'judge_{where}_{k}': v for where, acc in jv.items() for k, v in acc.items()}
    diff = {k: (v, old['metrics'][k]) for k, v in new.items() if k in old['metrics'] and v != old['metrics'][k]}
    if diff: raise SystemExit(f"The judge validation does not reproduce the card's numbers, so the card is left as it is: {diff}")
    added = {k: v for k, v in new.items() if k not in old['metrics']}
    print(f"{len(new) - len(added)} numbers reproduced; added: {added}")
    work = Path(tempfile.mkdtemp())
    pt._write_card(Path('data'), work, pt.RECIPE, {**old['metrics'], **added}, old['times'], COMMAND, torch.device('cpu'))
    m = json.loads((work / 'metrics.json').read_text())
    if m['sizes'] != old['sizes']: raise SystemExit(f"The model folders changed size since the card was written: {m['sizes']} against {old['sizes']}.")
    RECORD.write_text(json.dumps(m, indent=1))
