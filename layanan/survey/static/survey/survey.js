// The survey screens' little behaviour, without inline script (CSP: scripts from our own static
// files only). Everything works without it: the period list has a button, printing is Ctrl+P,
// the paper-entry boxes are reached with Tab.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-survey-print]")) {
    event.preventDefault();
    window.print();
  }
});
document.addEventListener("change", function (event) {
  var field = event.target.closest("[data-survey-autosubmit]");
  if (field && field.form) {
    field.form.submit();
  }
});
// Paper data entry: after one valid keystroke in a one-digit box, go to the next box.
document.addEventListener("input", function (event) {
  var box = event.target;
  if (!box.classList || !box.classList.contains("digit") || !box.form) {
    return;
  }
  if (!new RegExp("^" + box.getAttribute("pattern") + "$").test(box.value)) {
    return;
  }
  var fields = Array.prototype.filter.call(box.form.elements, function (el) {
    return !el.disabled && el.type !== "hidden" && el.tabIndex >= 0;
  });
  var next = fields[fields.indexOf(box) + 1];
  if (next) {
    next.focus();
    if (next.select) {
      next.select();
    }
  }
});
