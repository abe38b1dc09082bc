// Select to claim: an editor who selects a passage of the document's text gets a
// link to the new-claim form with the passage's offsets in the document's text.
// Each piece of the text carries data-start, its offset; the claim numbers between
// pieces are not text and are left out.
(function () {
  "use strict";
  var text = document.getElementById("document-text");
  var link = document.getElementById("claim-selection");
  if (!text || !link) {
    return;
  }
  var base = link.getAttribute("data-url");

  // Where a boundary of a range falls in a piece: its offset in the piece's text,
  // or null when the boundary is outside the piece.
  function inside(piece, container, offset) {
    if (container.nodeType === 3 && piece.contains(container)) {
      return offset;
    }
    if (container === piece) {
      return offset === 0 ? 0 : piece.textContent.length;
    }
    return null;
  }

  // The offsets [start, end) in the document's text of a range, or null when it
  // holds none of it.
  function offsets(range) {
    var start = null;
    var end = null;
    var pieces = text.querySelectorAll("[data-start]");
    for (var i = 0; i < pieces.length; i++) {
      var piece = pieces[i];
      if (!range.intersectsNode(piece)) {
        continue;
      }
      var first = Number(piece.getAttribute("data-start"));
      var from = inside(piece, range.startContainer, range.startOffset);
      var to = inside(piece, range.endContainer, range.endOffset);
      from = from === null ? 0 : from;
      to = to === null ? piece.textContent.length : to;
      if (to <= from) {
        continue;
      }
      if (start === null) {
        start = first + from;
      }
      end = first + to;
    }
    return start === null ? null : [start, end];
  }

  function hide() {
    link.hidden = true;
  }

  function update() {
    var selected = window.getSelection();
    if (!selected || selected.isCollapsed || selected.rangeCount === 0) {
      hide();
      return;
    }
    var range = selected.getRangeAt(0);
    var found = offsets(range);
    if (!found) {
      hide();
      return;
    }
    link.href = base + "?start=" + found[0] + "&end=" + found[1];
    link.setAttribute("data-start", String(found[0]));
    link.setAttribute("data-end", String(found[1]));
    var box = range.getBoundingClientRect();
    link.style.top = (window.scrollY + box.bottom + 6) + "px";
    link.style.left = (window.scrollX + box.left) + "px";
    link.hidden = false;
  }

  document.addEventListener("selectionchange", update);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      hide();
    }
  });
})();
