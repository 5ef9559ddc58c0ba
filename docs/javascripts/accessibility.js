// Small accessibility repairs to what Material builds in the browser (checked by tests/site/browser/test_axe.py).
// - Each code block's copy button sits in its own <nav>: name each one, so the navigation landmarks of a
//   page can be told apart (axe: landmark-unique).
// - The search overlay is a dialog: give it a name (axe: aria-dialog-name).
// - Wide tables scroll inside a wrapper: make it focusable, so a keyboard can scroll it
//   (axe: scrollable-region-focusable).
document$.subscribe(function () {
  document.querySelectorAll(".md-search[role=dialog]").forEach(function (dialog) {
    dialog.setAttribute("aria-label", "Search");
  });
  document.querySelectorAll(".md-code__nav").forEach(function (nav, index) {
    nav.setAttribute("aria-label", "Code block " + (index + 1) + " actions");
  });
  document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap, index) {
    wrap.setAttribute("tabindex", "0");
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", "Table " + (index + 1) + " (scrolls sideways)");
  });
});
