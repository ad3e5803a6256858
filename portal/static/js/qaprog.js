// QA programme pages: a print button (no inline script under the strict CSP).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

// The calibration contact picker: how many contacts are ticked, as the boxes change.
document.addEventListener("change", (event) => {
  const form = event.target.closest("[data-pick-form]");
  if (!form || event.target.name !== "pick") return;
  const count = form.querySelector("[data-pick-count]");
  if (count) {
    count.textContent = form.querySelectorAll('input[name="pick"]:checked').length;
  }
});
