/* Small progressive enhancements for the members pages; every page works without this file.
   - <form data-confirm="…">      asks before submitting (withdraw, end an appointment, remove from a zone)
   - <form data-busy="…">         shows a running progress bar and blocks double submits (roster import)
   - <select data-source-target>  preselects the officer source that matches the chosen person */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    if (form.dataset.busy) {
      if (form.dataset.submitted) {
        event.preventDefault();
        return;
      }
      form.dataset.submitted = "1";
      var bar = form.querySelector(".progress.busy");
      if (bar) bar.hidden = false;
      var button = form.querySelector("button[type=submit]");
      if (button) {
        button.textContent = form.dataset.busy;
        button.setAttribute("aria-busy", "true");
      }
    }
  });

  document.querySelectorAll("select[data-source-target]").forEach(function (select) {
    var target = document.getElementById(select.dataset.sourceTarget);
    if (!target) return;
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      if (option && option.dataset.source) target.value = option.dataset.source;
    });
  });
})();
