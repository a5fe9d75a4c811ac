// The map's deck has drawn: read by docs/make_screenshots.py and the browser tests (tests/chromium_pages.py),
// polled by Playwright's wait_for_function with the frames drawn before (`after`, 0 at first). Returns the
// frames drawn so far once the deck has drawn one more than `after` with every layer's data loaded and
// nothing left to draw, else false. A counter of frames (deck.gl's own "Redraw Count" resets every
// second) is put on the deck at the first call, with a redraw to count.
(after) => {
  if (typeof deckInstance === 'undefined' || !deckInstance.isInitialized) return false;
  if (window.__urFrames === undefined) {
    window.__urFrames = 0;
    deckInstance.setProps({onAfterRender: () => { window.__urFrames += 1; }});
    deckInstance.redraw('wait: count frames');
  }
  const drawn = window.__urFrames > after
    && deckInstance.layerManager.getLayers().every(layer => layer.isLoaded)
    && !deckInstance.needsRedraw({clearRedrawFlags: false});
  return drawn ? window.__urFrames : false;
}
