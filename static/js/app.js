/* Site-wide progressive enhancements, loaded (deferred) by base.html. Every page works without this file.
   The Content-Security-Policy allows scripts from 'self' only: no inline <script>, no onclick=/onchange=,
   so the few behaviours pages need are declared with data- attributes and wired up here.
   - <select data-autosubmit>           submits its form when changed (community switch, year/status filters)
   - <form data-autosubmit>             the same for every select, checkbox and radio inside the form
   - <button data-print hidden>         prints the page; hidden until this script runs, since it needs it
   Autosubmit forms keep their own submit button (visible, or in <noscript>) for browsers without scripts.
*/
(function () {
  "use strict";

  document.querySelectorAll("[data-print][hidden]").forEach(function (button) {
    button.hidden = false;
  });

  function autosubmitForm(control) {
    if (!control.form) return null;
    if (control.hasAttribute("data-autosubmit")) return control.form;
    var tag = control.tagName;
    var type = (control.type || "").toLowerCase();
    var choice = tag === "SELECT" || type === "checkbox" || type === "radio";
    return choice && control.form.hasAttribute("data-autosubmit") ? control.form : null;
  }

  document.addEventListener("change", function (event) {
    var form = autosubmitForm(event.target);
    if (!form) return;
    // requestSubmit() runs validation and the submit event (members.js listens to it); submit() is the
    // fallback for old browsers.
    if (typeof form.requestSubmit === "function") form.requestSubmit();
    else form.submit();
  });

  document.addEventListener("click", function (event) {
    var trigger = event.target.closest ? event.target.closest("[data-print]") : null;
    if (!trigger) return;
    event.preventDefault();
    window.print();
  });
})();

/* The menu (templates/base.html): on a phone one button opens the groups; one group open at a time;
   Escape or a click elsewhere closes an open group. Without this script every group is listed and each
   <details> still opens by itself. */
(function () {
  "use strict";
  var nav = document.getElementById("site-nav");
  if (!nav) return;
  var toggle = nav.querySelector(".nav-toggle");
  var groups = document.getElementById("nav-groups");
  if (toggle && groups) {
    nav.classList.add("js-nav");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = groups.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  var all = nav.querySelectorAll("details[data-nav-group]");
  function closeOthers(except) {
    all.forEach(function (d) { if (d !== except) d.open = false; });
  }
  all.forEach(function (d) {
    d.addEventListener("toggle", function () { if (d.open) closeOthers(d); });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = nav.querySelector("details[data-nav-group][open]");
    if (!open) return;
    open.open = false;
    var summary = open.querySelector("summary");
    if (summary) summary.focus();
  });
  document.addEventListener("click", function (event) {
    if (!nav.contains(event.target)) closeOthers(null);
  });
})();
