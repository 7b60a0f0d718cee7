"""What a newcomer waits for: `--help`, `imposter demo`, the explorer's first picture and a 5 x 5 sweep, each from a cold start.

    python nbs/experiments/first_minutes.py --reps 2 > nbs/experiments/results/timing/first-minutes.json

Every command runs in a fresh process with a fresh home folder and finetune cache (`IMPOSTER_CACHE`), as on a new
machine: wall seconds from starting the process, and the stages each reports. The sweep is the explorer's default 5 x
5 grid (K x s_p at the default preset, 25 steps) on the shipped finetune of the showcase pair, timed in one process
with its cells denoised together (`Sweep(batch_size=25)`) and one by one (`batch_size=1`), alternately, the cache
emptied before each run, so the two are compared side by side. PyTorch keeps its own thread count (what a user
gets). Run it on a quiet machine: nothing else may run meanwhile.
"""
import argparse, json, os, platform, statistics, subprocess, sys, tempfile, time
from pathlib import Path

COMMANDS = ('finetune', 'generate', 'run', 'demo', 'bench', 'train-puppets', 'fetch-data', 'explore')

def _fresh_env(home):
    return {**os.environ, 'HOME': str(home), 'IMPOSTER_CACHE': str(Path(home) / 'cache'), 'XDG_CACHE_HOME': str(Path(home) / '.cache')}

def _wall(cmd, env) -> float:
    t = time.perf_counter(); p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if p.returncode: raise SystemExit(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr[-2000:]}")
    return time.perf_counter() - t

def helps(env) -> dict:
    return {' '.join(a) or '(none)': round(_wall(['imposter', *a, '--help'], env), 2) for a in [()] + [(c,) for c in COMMANDS]}

def demo(home) -> dict:
    out = Path(home) / 'demo'
    wall = _wall(['imposter', 'demo', '--out', str(out), '--quiet'], _fresh_env(home))
    rec = json.loads((out / 'scores.json').read_text())
    return dict(wall=round(wall, 1), by_its_clock=rec['seconds'], stages=rec['stage_seconds'], finetune=rec['finetune'])

EXPLORER = """
import time, json, sys
t0 = float(sys.argv[1])
from imposter.explore import Explorer
t1 = time.time()
ex = Explorer()
t2 = time.time()
print(json.dumps(dict(imports=round(t1 - t0, 1), explorer_to_picture=round(t2 - t1, 1), first_picture=round(t2 - t0, 1),
                      finetune=ex.runner.finetuned.origin, sample=round(ex.result.seconds, 1))))
"""

def explorer(home) -> dict:
    out = {}
    for run in ('fresh home', 'second start'):
        p = subprocess.run([sys.executable, '-c', EXPLORER, repr(time.time())], env=_fresh_env(home), capture_output=True, text=True)
        if p.returncode: raise SystemExit(f"the explorer failed: {p.stderr[-2000:]}")
        out[run] = json.loads(p.stdout.strip().splitlines()[-1])
    return out

def sweep(reps) -> dict:
    import numpy as np, torch
    from imposter.explore import Sweep
    from imposter.session import open_runner
    runner = open_runner(device='cpu', progress=False)
    times = {25: [], 1: []}
    for _ in range(reps):
        for bs in (25, 1):
            runner.cache.clear()
            sw = Sweep(runner=runner, batch_size=bs)
            t = time.perf_counter(); sw.run(blocking=True); times[bs].append(time.perf_counter() - t)
            if sw.errors: raise SystemExit(f'sweep errors: {sw.errors}')
            if bs == 25: together = {k: np.asarray(r.image, int) for k, r in sw.results.items()}
            else: alone = {k: np.asarray(r.image, int) for k, r in sw.results.items()}
    diff = [int(np.abs(together[k] - alone[k]).max()) for k in together]
    p = sw.plan()
    return dict(grid=f"{len(p['row_values'])} x {len(p['col_values'])}", cols=p['cols'], rows=p['rows'], preset=sw.preset.value,
                steps=sw.steps.value, torch_threads=torch.get_num_threads(), reps=reps,
                seconds_together=[round(x, 1) for x in times[25]], seconds_one_by_one=[round(x, 1) for x in times[1]],
                median_together=round(statistics.median(times[25]), 1), median_one_by_one=round(statistics.median(times[1]), 1),
                ratio=round(statistics.median(times[1]) / statistics.median(times[25]), 2),
                max_grey_level_difference=max(diff), cells_identical=sum(d == 0 for d in diff))

def main(reps):
    out = dict(machine=f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}", command=' '.join(['python'] + sys.argv))
    with tempfile.TemporaryDirectory() as h1, tempfile.TemporaryDirectory() as h2, tempfile.TemporaryDirectory() as h3:
        out['help_seconds'] = helps(_fresh_env(h1))
        out['demo'] = demo(h2)
        out['explorer'] = explorer(h3)
    out['sweep'] = sweep(reps)
    print(json.dumps(out, indent=1))

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--reps', type=int, default=2, help='sweep runs of each kind, alternating')
    main(ap.parse_args().reps)
