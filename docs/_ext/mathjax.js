// MathJax 3 for pymdownx.arithmatex (generic mode), which writes \( \) and \[ \].
// The whole page is typeset (not only the arithmatex spans), so that math in headings
// also renders in the navigation and the table of contents; code is skipped.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
  },
};
