"""Real-browser checks: the explorer in JupyterLab and as the `imposter explore` app, and a page of the docs site.

Usage (from the repository root, with the dev environment active):

    apt-get install -y chromium && pip install playwright      # once; never `playwright install`
    python tools/browser_check.py [--out DIR] [--timeout 600] [--no-sweep] [--docs-image]   # JupyterLab
    python tools/browser_check.py --app [--out DIR] [--timeout 600] [--finetune-steps N]     # the Voila app
    python tools/browser_check.py --docs _site [--out DIR]                                    # the docs site

The default check (JupyterLab):
It copies nbs/experiments/explorer_demo.ipynb to a temporary folder (so nothing in the repository is saved over),
starts JupyterLab there on a free port with a random token, opens the notebook in headless Chromium
(/usr/bin/chromium), runs all cells, waits for the explorer's result image, takes a screenshot, moves the K slider
with the keyboard, waits for the new image, takes another screenshot and checks that the result's pixels changed;
then switches the method selector to SDEdit and checks that its slider shows and the result changes again.
Then it starts the sweep, clicks Stop and checks that the sweep stopped early. Exit status 0 on success.
JupyterLab and its kernels are stopped in every case.

`--app` starts `imposter explore --no-browser` on a free port (the embedded model and its default benchmark pair,
finetuned once and then taken from the cache, see `imposter.session.cache_dir`), opens the page in headless
Chromium, checks that it shows no code, waits for the result image, moves the K slider with the keyboard and checks
that the result's pixels changed. Voila is stopped in every case.

`--docs SITE` serves the built site (`python docs/build.py`) on 127.0.0.1, opens the page of `06_viz` and checks
that each figure from a notebook output loaded (the img element is decoded, with a non-zero naturalWidth) and is not
blank (the standard deviation of its pixels, read back through a canvas, is above BLANK_STD).
"""
import argparse, io, json, os, secrets, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request
import numpy as np
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / 'nbs' / 'experiments' / 'explorer_demo.ipynb'
CHROMIUM = '/usr/bin/chromium'
CHROME_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
               '--disable-background-networking', '--disable-component-update', '--disable-sync']

def log(*a): print(f'[{time.strftime("%H:%M:%S")}]', *a, flush=True)

def free_port() -> int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def api(base, token, path, method='GET'):
    req = urllib.request.Request(f'{base}{path}', method=method, headers={'Authorization': f'token {token}'})
    with urllib.request.urlopen(req, timeout=10) as r:
        body = r.read()
        return json.loads(body) if body else None

def wait_for(cond, timeout, what, every=0.5, fatal=()):
    "Poll `cond` until it returns a truthy value or `timeout` seconds pass (then raise); `fatal` errors end the wait."
    end, last = time.time() + timeout, None
    while time.time() < end:
        try:
            v = cond()
            if v: return v
        except fatal: raise
        except Exception as e: last = e   # not ready yet (a page still loading, a server not yet listening): polled again
        time.sleep(every)
    raise TimeoutError(f'timed out after {timeout:.0f} s waiting for {what}'
                       + (f'; the last poll raised {type(last).__name__}: {last}' if last else '')) from last

def start_lab(root: Path, port: int, token: str, logfile):
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(root / '.runtime'), JUPYTERLAB_WORKSPACES_DIR=str(root / '.workspaces'),
               JUPYTER_CONFIG_DIR=str(root / '.config'), MPLBACKEND='Agg', PYTHONUNBUFFERED='1')
    cmd = [sys.executable, '-m', 'jupyterlab', '--no-browser', '--ip=127.0.0.1', f'--port={port}', '--port-retries=0',
           f'--IdentityProvider.token={token}', f'--ServerApp.root_dir={root}', '--LabApp.news_url=',
           '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate'] + (['--allow-root'] if os.geteuid() == 0 else [])
    return subprocess.Popen(cmd, cwd=root, env=env, stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True)

def stop_lab(proc, base, token):
    "Shut the kernels down through the API, then stop the server (TERM, then KILL)."
    if proc is None: return
    try:
        for k in api(base, token, '/api/kernels') or []: api(base, token, f"/api/kernels/{k['id']}", 'DELETE')
    except Exception as e: log('could not list/stop kernels through the API:', e)
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try: proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL); proc.wait(10)
    log('JupyterLab stopped, exit code', proc.returncode)

def result_png(page):
    "The explorer's result image, as PNG bytes of the element's screenshot, and its src."
    img = page.locator('.imposter-explorer img.imposter-result').first
    return img.screenshot(), img.get_attribute('src')

def pixels(png: bytes):
    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(png)).convert('RGB'), dtype=np.int16)

def clear_dialogs(page, seen: list) -> bool:
    """Accept each JupyterLab dialog that covers the page (a modal dialog intercepts every click), logging its text and
    adding it to `seen`, so that a failure names it. False while a dialog was still showing."""
    for _ in range(5):
        d = page.locator('.jp-Dialog')
        if not d.count(): return True
        text = ' '.join(d.first.inner_text().split())[:300]
        log(f'a JupyterLab dialog covers the page: {text!r}; accepting it')
        seen.append(text)
        accept = d.first.locator('button.jp-mod-accept')
        if accept.count(): accept.first.click(timeout=10_000)
        else: page.keyboard.press('Escape')
        page.wait_for_timeout(500)
    return not page.locator('.jp-Dialog').count()

def run_all(page, timeout):
    "Run all cells from the Run menu (falls back to the command palette)."
    try:
        page.locator('.lm-MenuBar-itemLabel', has_text='Run').first.click(timeout=10_000)
        page.locator('.lm-Menu-itemLabel', has_text='Run All Cells').first.click(timeout=10_000)
    except Exception as e:
        log('menu failed, using the command palette:', e)
        page.keyboard.press('Control+Shift+C'); page.keyboard.type('Run All Cells'); page.keyboard.press('Enter')

def save_docs_image(png: Path, dest: Path = REPO / 'nbs' / 'images' / 'explorer.png'):
    "Write the explorer's screenshot, as a small 256-colour PNG, where the docs show it."
    from PIL import Image
    with Image.open(png) as im: im.convert('RGB').quantize(256).save(dest, optimize=True)
    log('docs image written to', dest)

def check(out: Path, timeout: float, sweep: bool, docs_image: bool = False, notebook: Path = NOTEBOOK) -> dict:
    from playwright.sync_api import sync_playwright
    t_start = time.time()
    root = Path(tempfile.mkdtemp(prefix='imposter-lab-'))
    shutil.copy(notebook, root / NOTEBOOK.name)
    port, token = free_port(), secrets.token_hex(16)
    base = f'http://127.0.0.1:{port}'
    logpath = out / 'jupyterlab.log'
    proc, res = None, dict(screenshots={})
    with open(logpath, 'w') as lf:
        try:
            proc = start_lab(root, port, token, lf)
            def up():
                if proc.poll() is not None: raise SystemExit(f'JupyterLab exited with code {proc.returncode}; see {logpath}')
                return api(base, token, '/api/status')
            wait_for(up, 90, 'JupyterLab to answer', fatal=(SystemExit,))
            log(f'JupyterLab up on {base} ({time.time() - t_start:.1f} s)')
            with sync_playwright() as pw:
                ctx = pw.chromium.launch_persistent_context(str(root / '.chromium'), executable_path=CHROMIUM, headless=True,
                                                            args=CHROME_ARGS, viewport={'width': 1400, 'height': 1000})
                try:
                    page = ctx.pages[0] if ctx.pages else ctx.new_page()
                    page.set_default_timeout(30_000)
                    page.goto(f'{base}/lab/tree/{NOTEBOOK.name}?token={token}', wait_until='domcontentloaded', timeout=90_000)
                    page.locator('.jp-Notebook').first.wait_for(state='visible', timeout=90_000)
                    dialogs = res['dialogs'] = []   # e.g. 'Select Kernel', when the notebook's kernel is not found
                    wait_for(lambda: clear_dialogs(page, dialogs) and api(base, token, '/api/kernels'), 90, 'the kernel to start')
                    page.wait_for_timeout(1000)
                    no = page.get_by_role('button', name='No')   # the 'Jupyter news' notification covers the page's corner
                    if no.count(): no.first.click()
                    clear_dialogs(page, dialogs)
                    log(f'notebook open ({time.time() - t_start:.1f} s); running all cells')
                    t_run = time.time()
                    run_all(page, timeout)
                    img = page.locator('.imposter-explorer img.imposter-result').first
                    def shown():
                        dead = [k['id'] for k in api(base, token, '/api/kernels') or [] if k.get('execution_state') == 'dead']
                        if dead: raise SystemExit(f'the kernel died (see {logpath}); JupyterLab dialogs seen: {dialogs or "none"}')
                        return clear_dialogs(page, dialogs) and img.is_visible()
                    try: wait_for(shown, timeout, 'the explorer to show a result', every=1, fatal=(SystemExit,))
                    except TimeoutError as e: raise TimeoutError(f'{e}; JupyterLab dialogs seen: {dialogs or "none"}') from None
                    wait_for(lambda: (img.get_attribute('src') or '').startswith(('blob:', 'data:')), 60, 'the result image')
                    res['first_result_s'] = time.time() - t_run
                    log(f'explorer shows a result ({res["first_result_s"]:.1f} s after Run All)')
                    # wait until the whole notebook has run (the last cell has an execution count)
                    wait_for(lambda: page.evaluate("""() => { const p = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
                              return p.length && p.every(e => /\\[\\d+\\]/.test(e.textContent)); }"""), timeout, 'all cells to run')
                    res['run_all_s'] = time.time() - t_run
                    log(f'all cells ran ({res["run_all_s"]:.1f} s)')
                    img.scroll_into_view_if_needed()
                    before, src0 = result_png(page)
                    (out / 'result_before.png').write_bytes(before)
                    page.screenshot(path=str(out / 'before.png')); res['screenshots']['before'] = str(out / 'before.png')
                    status = page.locator('.imposter-explorer .widget-html-content').last
                    k_slider = page.locator('.imposter-explorer .widget-hslider').first
                    k_label = k_slider.locator('.widget-readout').first
                    k0 = k_label.inner_text()
                    handle = k_slider.locator('.noUi-handle').first
                    handle.focus()
                    page.keyboard.press('ArrowRight')
                    wait_for(lambda: k_label.inner_text() != k0, 20, 'the K readout to change')
                    k1 = k_label.inner_text()
                    t_move = time.time()
                    a = pixels(before)
                    def changed():
                        if 'computing' in status.inner_text(): return None
                        png = result_png(page)[0]; b = pixels(png)
                        d = (b != a).any(-1) if a.shape == b.shape else np.ones(a.shape[:2], bool)
                        return (png, float(d.mean()), float(abs(a - b).mean()) if a.shape == b.shape else float('inf')) if d.any() else None
                    try: after, frac, diff = wait_for(changed, 120, f'the result image to change after moving K ({k0} -> {k1})')
                    finally:   # the 'after' screenshot is taken whether or not the image changed
                        page.screenshot(path=str(out / 'after.png')); res['screenshots']['after'] = str(out / 'after.png')
                    (out / 'result_after.png').write_bytes(after)
                    page.locator('.imposter-explorer').first.screenshot(path=str(out / 'explorer.png'))
                    res['screenshots']['explorer'] = str(out / 'explorer.png')
                    if docs_image: save_docs_image(out / 'explorer.png')
                    res['update_s'] = time.time() - t_move
                    res.update(K_before=k0, K_after=k1, changed_pixel_fraction=frac, mean_abs_pixel_diff=diff, status_after=status.inner_text())
                    log(f'K {k0} -> {k1}: {100 * frac:.1f}% of the result pixels changed, by {diff:.2f} grey levels on average, '
                        f'{res["update_s"]:.1f} s after the key press; status: {res["status_after"]!r}')
                    # switch the method once: SDEdit from the dropdown, its strength slider shown, the result changes
                    a = pixels(after); t_method = time.time()
                    page.locator('.imposter-explorer select').first.select_option('sdedit')
                    wait_for(lambda: page.locator('.imposter-explorer .widget-hslider:visible', has_text='strength').count() > 0, 20,
                             "the sdedit strength slider to show")
                    m_png, m_frac, m_diff = wait_for(changed, 120, 'the result image to change after switching the method to sdedit')
                    (out / 'result_sdedit.png').write_bytes(m_png)
                    page.locator('.imposter-explorer').first.screenshot(path=str(out / 'explorer_sdedit.png'))
                    res['screenshots']['explorer_sdedit'] = str(out / 'explorer_sdedit.png')
                    res.update(method_switch_s=time.time() - t_method, method_changed_pixel_fraction=m_frac, method_mean_abs_pixel_diff=m_diff)
                    log(f'method imposter -> sdedit: {100 * m_frac:.1f}% of the result pixels changed, by {m_diff:.2f} grey levels on average, '
                        f'{res["method_switch_s"]:.1f} s after the switch')
                    if sweep:
                        sw = page.locator('.imposter-sweep').first
                        sw.scroll_into_view_if_needed()
                        sw.get_by_role('button', name='Run').click()
                        prog = sw.locator('.imposter-progress').first
                        wait_for(lambda: int(prog.inner_text().split('/')[0]) > 0, 120, 'the first sweep cell')
                        res['sweep_progress_at_stop'] = prog.inner_text().strip()
                        sw.get_by_role('button', name='Stop').click()
                        st = sw.locator('.widget-html-content').last
                        wait_for(lambda: 'stopped after' in st.inner_text() or ' cells in ' in st.inner_text(), 120, 'the sweep to stop')
                        res['sweep_status'] = st.inner_text()
                        page.wait_for_timeout(500)
                        sw.locator('img.imposter-sweep-figure').first.scroll_into_view_if_needed()
                        page.screenshot(path=str(out / 'sweep.png')); res['screenshots']['sweep'] = str(out / 'sweep.png')
                        log('sweep:', res['sweep_status'])
                        assert 'stopped after' in res['sweep_status'], f"the sweep did not stop: {res['sweep_status']!r}"
                except BaseException:
                    try: page.screenshot(path=str(out / 'failed.png')); log('screenshot of the failure:', out / 'failed.png')
                    except Exception as e: log('no screenshot of the failure:', type(e).__name__, e)
                    raise
                finally:
                    ctx.close()
        finally:
            stop_lab(proc, base, token)
            shutil.rmtree(root, ignore_errors=True)
    res['total_s'] = time.time() - t_start
    return res

BLANK_STD = 2.0   # grey levels: a figure whose pixels vary less than this is blank

def stop_group(proc, name):
    "Stop a server started in its own process group: TERM, then KILL."
    if proc is None or proc.poll() is not None: return
    os.killpg(proc.pid, signal.SIGTERM)
    try: proc.wait(20)
    except subprocess.TimeoutExpired: os.killpg(proc.pid, signal.SIGKILL); proc.wait(10)
    log(f'{name} stopped, exit code', proc.returncode)

def explore_command(port: int, finetune_steps) -> list:
    "The `imposter explore` command line, run by this Python (the `imposter` console script's entry, `imposter.cli.main`)."
    args = ['--no-browser', '--port', str(port), '--device', 'cpu'] + (['--finetune-steps', str(finetune_steps)] if finetune_steps else [])
    return [sys.executable, '-c', 'import sys; from imposter.cli import main; sys.exit(main())', 'explore', *args]

def move_k(page, out: Path, prefix: str, scope: str = '.imposter-explorer') -> dict:
    "Press ArrowRight on the explorer's K slider; wait until the result image's pixels change. Screenshots before and after."
    img = page.locator(f'{scope} img.imposter-result').first
    img.scroll_into_view_if_needed()
    before = img.screenshot(); (out / f'{prefix}result_before.png').write_bytes(before)
    page.screenshot(path=str(out / f'{prefix}before.png'))
    status = page.locator(f'{scope} .widget-html-content').last
    k_slider = page.locator(f'{scope} .widget-hslider').first
    k_label = k_slider.locator('.widget-readout').first
    k0 = k_label.inner_text()
    k_slider.locator('.noUi-handle').first.focus()
    page.keyboard.press('ArrowRight')
    wait_for(lambda: k_label.inner_text() != k0, 20, 'the K readout to change')
    k1, t_move, a = k_label.inner_text(), time.time(), pixels(before)
    def changed():
        if 'computing' in status.inner_text(): return None
        png = img.screenshot(); b = pixels(png)
        d = (b != a).any(-1) if a.shape == b.shape else np.ones(a.shape[:2], bool)
        return (png, float(d.mean()), float(abs(a - b).mean()) if a.shape == b.shape else float('inf')) if d.any() else None
    try: after, frac, diff = wait_for(changed, 120, f'the result image to change after moving K ({k0} -> {k1})')
    finally: page.screenshot(path=str(out / f'{prefix}after.png'))
    (out / f'{prefix}result_after.png').write_bytes(after)
    res = dict(K_before=k0, K_after=k1, changed_pixel_fraction=frac, mean_abs_pixel_diff=diff, update_s=time.time() - t_move)
    log(f'K {k0} -> {k1}: {100 * frac:.1f}% of the result pixels changed, by {diff:.2f} grey levels on average, '
        f'{res["update_s"]:.1f} s after the key press')
    return res

def check_app(out: Path, timeout: float, finetune_steps=None, docs_image: bool = False) -> dict:
    "`imposter explore` in headless Chromium: no code shown, a result image, and moving K changes it."
    from playwright.sync_api import sync_playwright
    t0, port = time.time(), free_port()
    base, logpath, proc, res = f'http://127.0.0.1:{port}', out / 'voila.log', None, dict(screenshots={})
    root = Path(tempfile.mkdtemp(prefix='imposter-app-'))
    with open(logpath, 'w') as lf:
        try:
            proc = subprocess.Popen(explore_command(port, finetune_steps), cwd=root, stdout=lf, stderr=subprocess.STDOUT, start_new_session=True,
                                    env=dict(os.environ, MPLBACKEND='Agg', PYTHONUNBUFFERED='1'))
            def up():
                if proc.poll() is not None: raise SystemExit(f'imposter explore exited with code {proc.returncode}; see {logpath}')
                with socket.create_connection(('127.0.0.1', port), timeout=2): return True
            wait_for(up, 120, 'Voila to listen', fatal=(SystemExit,))
            log(f'Voila listens on {base} ({time.time() - t0:.1f} s); opening the page (the pair is finetuned now unless cached)')
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROME_ARGS)
                try:
                    page = browser.new_page(viewport={'width': 1400, 'height': 1000})
                    page.set_default_timeout(30_000)
                    page.goto(base + '/', wait_until='domcontentloaded', timeout=timeout * 1000)
                    img = page.locator('.imposter-explorer img.imposter-result').first
                    img.wait_for(state='visible', timeout=timeout * 1000)
                    wait_for(lambda: (img.get_attribute('src') or '').startswith(('blob:', 'data:')), 60, 'the result image')
                    res['first_result_s'] = time.time() - t0
                    log(f'the app shows a result ({res["first_result_s"]:.1f} s after start)')
                    code = page.locator('.jp-InputArea-editor:visible, .cm-editor:visible, .CodeMirror:visible').count()
                    assert code == 0, f'the app shows {code} code editor(s); Voila should strip the sources'
                    res['title'] = page.title()
                    res.update(move_k(page, out, 'app_'))
                    page.locator('.imposter-explorer').first.screenshot(path=str(out / 'app_explorer.png'))
                    if docs_image: save_docs_image(out / 'app_after.png', REPO / 'nbs' / 'images' / 'explorer_app.png')
                    res['screenshots'] = {k: str(out / f'app_{k}.png') for k in ('before', 'after', 'explorer')}
                except BaseException:
                    try: page.screenshot(path=str(out / 'app_failed.png')); log('screenshot of the failure:', out / 'app_failed.png')
                    except Exception as e: log('no screenshot of the failure:', type(e).__name__, e)
                    raise
                finally: browser.close()
        finally:
            stop_group(proc, 'Voila')
            shutil.rmtree(root, ignore_errors=True)
    res['total_s'] = time.time() - t0
    return res

FIGURE_STATS = """async (img) => {
    if (!img.complete) await new Promise(r => { img.onload = r; img.onerror = r; });
    const w = img.naturalWidth, h = img.naturalHeight;
    if (!w || !h) return {w, h, std: 0};
    const c = document.createElement('canvas'); c.width = w; c.height = h;
    const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, w, h).data;
    let s = 0, s2 = 0, n = 0;
    for (let i = 0; i < d.length; i += 4) { const g = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2]; s += g; s2 += g * g; n++; }
    const m = s / n; return {w, h, std: Math.sqrt(Math.max(0, s2 / n - m * m))};
}"""

def check_docs(out: Path, site: Path, page_name: str = 'viz.html') -> dict:
    "A page of the built docs in headless Chromium: every figure from a notebook output is decoded and not blank."
    from playwright.sync_api import sync_playwright
    if not (site / page_name).is_file(): raise SystemExit(f'{site / page_name} does not exist; build the site first: python docs/build.py')
    port, res = free_port(), dict(screenshots={})
    proc = subprocess.Popen([sys.executable, '-m', 'http.server', str(port), '--bind', '127.0.0.1', '--directory', str(site)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        def up():
            with socket.create_connection(('127.0.0.1', port), timeout=2): return True
        wait_for(up, 30, 'the site server')
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROME_ARGS)
            try:
                page = browser.new_page(viewport={'width': 1300, 'height': 1000})
                page.goto(f'http://127.0.0.1:{port}/{page_name}', wait_until='load', timeout=60_000)
                figs = page.locator('img.nb-output')
                n = figs.count()
                assert n > 0, f'{page_name} shows no figure from a notebook output (img.nb-output); refresh the outputs (tools/refresh_outputs.py) and rebuild'
                stats = []
                for k in range(n):
                    f = figs.nth(k); f.scroll_into_view_if_needed()
                    st = f.evaluate(FIGURE_STATS); st['src'] = f.get_attribute('src'); stats.append(st)
                bad = [s for s in stats if not s['w'] or s['std'] <= BLANK_STD]
                page.locator('img.nb-output').first.scroll_into_view_if_needed()
                page.screenshot(path=str(out / 'docs_page.png')); res['screenshots']['page'] = str(out / 'docs_page.png')
                res.update(page=page_name, title=page.title(), figures=stats)
                log(f'{page_name} ({page.title()!r}): {n} figure(s); ' + ', '.join(f"{s['src']} {s['w']}x{s['h']} std {s['std']:.1f}" for s in stats))
                assert not bad, f'{len(bad)} figure(s) not decoded or blank: ' + ', '.join(f"{s['src']} ({s['w']}x{s['h']}, std {s['std']:.1f})" for s in bad)
            finally: browser.close()
    finally: stop_group(proc, 'the site server')
    return res

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default=str(Path(tempfile.gettempdir()) / 'imposter-browser-check'), help='where screenshots go')
    ap.add_argument('--timeout', type=float, default=600, help='seconds allowed for Run All, or for the app to show a result (includes a first finetune)')
    ap.add_argument('--no-sweep', action='store_true', help='skip the sweep start/stop check')
    ap.add_argument('--notebook', default=str(NOTEBOOK), help='the notebook to open (default: explorer_demo.ipynb)')
    ap.add_argument('--docs-image', action='store_true', help='also write nbs/images/explorer.png (with --app: explorer_app.png), the screenshot in the docs')
    ap.add_argument('--app', action='store_true', help='check the `imposter explore` app (Voila) instead of JupyterLab')
    ap.add_argument('--finetune-steps', type=int, help='with --app: finetune iterations (default: the model\'s own)')
    ap.add_argument('--docs', metavar='SITE', help='check the built docs site in SITE instead of JupyterLab')
    a = ap.parse_args()
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    if not Path(CHROMIUM).exists(): sys.exit(f'{CHROMIUM} is missing; apt-get install -y chromium')
    if a.app and a.docs: sys.exit('--app and --docs are two checks; run them one at a time.')
    log('screenshots and logs go to', out)
    try:
        if a.app: res = check_app(out, a.timeout, a.finetune_steps, a.docs_image)
        elif a.docs: res = check_docs(out, Path(a.docs))
        else: res = check(out, a.timeout, not a.no_sweep, a.docs_image, Path(a.notebook))
    except (Exception, SystemExit) as e:
        log(f'FAILED: {type(e).__name__}: {e} (see {out})'); sys.exit(1)
    (out / 'result.json').write_text(json.dumps(res, indent=1))
    log(f"PASSED in {res.get('total_s', 0):.1f} s; screenshots: {', '.join(res['screenshots'].values())}")

if __name__ == '__main__': main()
