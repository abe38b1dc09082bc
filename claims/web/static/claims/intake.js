// The intake page's conveniences; the page works without them.
// A mark in the text shows its proposal; an unchecked proposal's marks fade; the
// new source's (or measure's) fields show only when "new" is chosen.
"use strict";
(function () {
  const text = document.getElementById("intake-text");
  const proposals = document.getElementById("proposals");
  if (!text || !proposals) return;

  function marksOf(key) {
    return Array.from(text.querySelectorAll("a.mark")).filter(
      (mark) => mark.dataset.rows.split(" ").includes(key)
    );
  }

  text.addEventListener("click", (event) => {
    const mark = event.target.closest("a.mark");
    if (!mark) return;
    proposals.querySelectorAll(".proposal.current").forEach((row) => row.classList.remove("current"));
    text.querySelectorAll("a.mark.current").forEach((m) => m.classList.remove("current"));
    const row = document.getElementById(mark.dataset.rows.split(" ")[0]);
    if (row) row.classList.add("current");
    mark.classList.add("current");
  });

  proposals.querySelectorAll(".proposal").forEach((row) => {
    const include = row.querySelector(".include input[type=checkbox]");
    const sync = () => {
      row.classList.toggle("excluded", !include.checked);
      marksOf(row.id).forEach((mark) => mark.classList.toggle("excluded", !include.checked));
    };
    include.addEventListener("change", sync);
    sync();
  });

  function toggleNew(select, fields) {
    const sync = () => fields.classList.toggle("hidden", select.value !== "new");
    select.addEventListener("change", sync);
    sync();
  }
  proposals.querySelectorAll(".proposal").forEach((row) => {
    const select = row.querySelector("select[name$='-source']");
    const fields = row.querySelector(".new-source");
    if (select && fields) toggleNew(select, fields);
  });
  proposals.querySelectorAll(".figure").forEach((row) => {
    const select = row.querySelector("select[name$='-measure']");
    const fields = row.querySelector(".new-measure");
    if (select && fields) toggleNew(select, fields);
  });
})();
