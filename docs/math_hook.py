"""MkDocs hook: every formula of the site rendered to MathML when the site is built (latex2mathml), so that pages show
their maths offline and with no script. pymdownx.arithmatex (generic mode) marks the notebooks' `$...$` and `$$...$$`
as `<span class="arithmatex">\\(...\\)</span>` and `<div class="arithmatex">\\[...\\]</div>`; this turns each into
a `<math>` element, which browsers render natively (MathML Core). A formula it cannot convert fails the build, naming
the page and the formula."""
import html, re
from latex2mathml.converter import convert

MATH = re.compile(r'<(span|div) class="arithmatex">(.*?)</\1>', re.S)

def to_mathml(tag:str, body:str) -> str:
    "One arithmatex element's TeX as MathML: inline for a span, a block for a div."
    tex = html.unescape(body).strip()
    for a, b in (('\\(', '\\)'), ('\\[', '\\]'), ('$$', '$$'), ('$', '$')):
        if tex.startswith(a) and tex.endswith(b): tex = tex[len(a):-len(b)]; break
    return convert(tex.strip(), display='inline' if tag == 'span' else 'block')

def on_page_content(content:str, page, **kw) -> str:
    def one(m):
        try: return to_mathml(m[1], m[2])
        except Exception as e:   # latex2mathml raises several kinds; each is re-raised with the page and formula named
            raise ValueError(f"{page.file.src_path}: the formula {html.unescape(m[2])[:80]!r} could not be rendered ({e}); fix its TeX in the notebook.") from e
    return MATH.sub(one, content)
