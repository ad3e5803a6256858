// The evaluate form (form[data-evaluate-form]): autosaves a draft on change, warns before
// leaving unsaved answers, holds a Submit until the live score and the autosave in flight are
// done (so nothing is aborted mid-request), and the keyboard shortcuts documented on the page.
(function () {
  "use strict";

  var form = document.querySelector("form[data-evaluate-form]");
  if (!form) { return; }
  var autosaveUrl = form.dataset.autosaveUrl;
  var statusLine = document.getElementById("draft-status");
  var questions = Array.prototype.slice.call(form.querySelectorAll("[data-question]"));

  var inFlight = 0;       // live-score requests and autosaves under way
  var submitting = false; // the form is being sent: no more live scores or autosaves
  var held = null;        // the submit button pressed while requests were in flight
  var sent = false;
  var dirty = false;      // changes not saved yet
  var timer = null;
  var saving = false;
  var saveAgain = false;

  // ---- the live score (htmx on the form) counts as in flight; none starts once submitting
  form.addEventListener("htmx:beforeRequest", function (event) {
    if (submitting) { event.preventDefault(); return; }
    inFlight += 1;
  });
  form.addEventListener("htmx:afterRequest", function () {
    inFlight = Math.max(0, inFlight - 1);
    release();
  });

  // ---- the score panel is replaced on each answer: an opened "How this score was computed"
  // stays open across the swap
  var openDetails = {};
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "score-panel") { return; }
    openDetails = {};
    event.detail.target.querySelectorAll("details").forEach(function (details, index) {
      openDetails[index] = details.open; // by position: htmx adds classes while settling
    });
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "score-panel") { return; }
    event.detail.target.querySelectorAll("details").forEach(function (details, index) {
      if (index in openDetails) { details.open = openDetails[index]; }
    });
  });

  // ---- autosave
  function schedule(delay) {
    dirty = true;
    if (!autosaveUrl || submitting) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(save, delay);
  }

  function show(text) {
    if (statusLine) { statusLine.textContent = text; }
  }

  function save() {
    timer = null;
    if (submitting) { return; }
    if (saving) { saveAgain = true; return; }
    saving = true;
    inFlight += 1;
    dirty = false; // a change made while this request runs sets it again
    fetch(autosaveUrl, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        return response.text().then(function (html) {
          var holder = document.createElement("template");
          holder.innerHTML = html;
          var answer = holder.content.querySelector("#draft-status");
          if (!answer) { throw new Error("no status"); }
          show(answer.textContent.trim());
          if (!response.ok) { dirty = true; return; }
          // The form's version (empty on a new form until the first autosave) and the
          // discard form's follow the draft, so a change made in another window is reported.
          if (answer.dataset.version) {
            document.querySelectorAll("[data-draft-version]").forEach(function (input) {
              input.value = answer.dataset.version;
            });
          }
        });
      })
      .catch(function () {
        dirty = true;
        show(form.dataset.autosaveFailed || "");
      })
      .finally(function () {
        saving = false;
        inFlight = Math.max(0, inFlight - 1);
        if (saveAgain && !submitting) { saveAgain = false; save(); } else { release(); }
      });
  }

  form.addEventListener("change", function () { schedule(800); });
  form.addEventListener("input", function (event) {
    if (event.target instanceof HTMLTextAreaElement) { schedule(2000); }
  });

  window.addEventListener("beforeunload", function (event) {
    if (submitting) { return; }
    if (dirty || saving || timer) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // ---- submit: wait for what is in flight, then send once
  form.addEventListener("submit", function (event) {
    if (sent) { event.preventDefault(); return; }
    submitting = true;
    window.clearTimeout(timer);
    timer = null;
    if (inFlight > 0) {
      event.preventDefault();
      held = event.submitter || null;
      return;
    }
    sent = true;
  });

  function release() {
    if (!submitting || sent || inFlight > 0) { return; }
    var button = held;
    held = null;
    if (button) { form.requestSubmit(button); } else { form.requestSubmit(); }
  }

  // ---- keyboard
  function questionOf(element) {
    return element && element.closest ? element.closest("[data-question]") : null;
  }

  function focusQuestion(index) {
    if (index < 0 || index >= questions.length) { return; }
    var question = questions[index];
    var radio = question.querySelector("input[type=radio]:checked") ||
      question.querySelector("input[type=radio]");
    if (radio) {
      radio.focus();
      question.scrollIntoView({ block: "nearest" });
    }
  }

  function isTextField(element) {
    return element instanceof HTMLTextAreaElement || element instanceof HTMLSelectElement ||
      (element instanceof HTMLInputElement && element.type !== "radio" && element.type !== "checkbox") ||
      (element instanceof HTMLElement && element.isContentEditable);
  }

  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      var primary = form.querySelector("[data-ctrl-enter]");
      if (primary) {
        event.preventDefault();
        form.requestSubmit(primary);
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    var index = questions.indexOf(questionOf(target));
    if (isTextField(target)) {
      if (event.key === "Escape" && index >= 0) {
        event.preventDefault();
        focusQuestion(index);
      }
      return;
    }
    if (event.key === "j" || event.key === "k") {
      event.preventDefault();
      var step = event.key === "j" ? 1 : -1;
      focusQuestion(index < 0 ? 0 : Math.min(questions.length - 1, Math.max(0, index + step)));
      return;
    }
    if (index < 0) { return; }
    var question = questions[index];
    if (/^[0-9n]$/.test(event.key)) {
      var radio = question.querySelector("input[data-key='" + event.key + "']");
      if (!radio) { return; }
      event.preventDefault();
      if (!radio.checked) {
        radio.checked = true;
        radio.dispatchEvent(new Event("change", { bubbles: true }));
      }
      if (index + 1 < questions.length) { focusQuestion(index + 1); } else { radio.focus(); }
    } else if (event.key === "c") {
      var comment = question.querySelector("details.comment");
      if (comment) {
        event.preventDefault();
        comment.open = true;
        comment.querySelector("textarea").focus();
      }
    }
  });
})();
