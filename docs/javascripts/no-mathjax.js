/* The reproduce notebook has no mathematics: this local file replaces the MathJax that nbconvert would load from a CDN. */
