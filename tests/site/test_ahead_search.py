"""handbook/ahead.py's search index: material's search plugin takes a page's sections from a parse done while the
build waited for a later page's fences, and the index it writes is the one its own parse gives."""

import threading
from types import SimpleNamespace

import pytest
from material.plugins.search import plugin as search_plugin

from handbook import ahead

CONTENT = (
    '<h1 id="title">Title</h1><p>First <code>min_pixels</code> paragraph.</p>'
    '<h2 id="part">A part</h2><p>Second</p><pre><code>print(1)</code></pre>'
    '<svg><text>not indexed twice</text></svg><h2 id="last">Last</h2><ul><li>one</li></ul>'
)


def page(content: str = CONTENT) -> SimpleNamespace:
    return SimpleNamespace(content=content, meta={}, toc=[], url="chapters/x/", title="X")


def entries(content: str) -> list:
    index = search_plugin.SearchIndex()
    index.add_entry_from_context(page(content))
    return index.entries


@pytest.fixture
def replaced():
    """The Parser replaced as start() replaces it in a build that runs its fences ahead; put back afterwards."""
    ahead._replace(search_plugin, "Parser", ahead._search_parser(search_plugin.Parser))
    yield
    ahead.finish()
    assert search_plugin.Parser.__name__ == "Parser" and not ahead._parsed


def test_a_page_parsed_ahead_gives_the_search_index_its_own_parse_gives(replaced):
    plain = entries(CONTENT)  # nothing parsed ahead yet: the plugin parses it itself
    ahead.state.deferred.clear()
    ahead.defer_search(page(CONTENT))
    ahead.state.deferred.popleft()()  # what Ahead.outcome runs while it waits for a fence
    assert ahead._search_counts["parsed ahead"] == 1 and CONTENT in ahead._parsed
    assert entries(CONTENT) == plain
    assert ahead._search_counts["taken"] == 1 and CONTENT not in ahead._parsed
    assert [e["location"] for e in plain] == ["chapters/x/", "chapters/x/#part", "chapters/x/#last"]


def test_a_content_changed_after_its_parse_is_parsed_again(replaced):
    ahead.defer_search(page(CONTENT))
    ahead.state.deferred.popleft()()
    changed = CONTENT.replace("Second", "Changed")
    assert "Changed" in entries(changed)[1]["text"]
    assert ahead._search_counts["taken"] == 0


def test_nothing_is_deferred_where_the_build_runs_everything_in_turn():
    """mkdocs serve, or a build without os.fork: start() replaced nothing."""
    ahead.state.deferred.clear()
    ahead.defer_search(page())
    assert not ahead.state.deferred


def test_the_build_does_its_deferred_work_while_it_waits_for_a_fence(tmp_path):
    waiting = ahead.Ahead()
    waiting.folder, waiting.index = tmp_path, {"fence": 0}
    done = []
    waiting.deferred.extend([lambda: done.append("first"), lambda: done.append("second")])
    waiting.deferred.append(lambda: (done.append("arrived"), waiting.done.add(0)))  # the fence's child reports
    waiting.deferred.append(lambda: done.append("later"))
    outcome = []
    waiter = threading.Thread(target=lambda: outcome.append(waiting.outcome("fence")), daemon=True)
    waiter.start()
    waiter.join(30)
    assert not waiter.is_alive(), "outcome() waited for the fence without doing the deferred work"
    assert outcome == [None]  # reported, but left no outcome: the build runs that fence itself
    assert done == ["first", "second", "arrived"]
    assert len(waiting.deferred) == 1  # left for the next wait
