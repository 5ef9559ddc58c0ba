"""Every page's code blocks without Pygments' wrapper around plain names.

Pygments wraps every plain name in <span class="n">. Material colours `.n` with the code's own foreground
(--md-code-hl-name-color: var(--md-code-fg-color)), so the wrapper changes nothing on screen, and it is
about a fifth of a code-heavy page (tests/site/test_built_site.py checks both facts).
"""

import re

PLAIN_NAME = re.compile(r'<span class="n">([^<]*)</span>')


def unwrap_plain_names(html: str) -> str:
    return PLAIN_NAME.sub(r"\1", html)


def on_page_content(html, page, config, files):
    return unwrap_plain_names(html)
